// client-sim against a real Shoal: every simulated player joins, plays (inputs, pings, chat) and
// the summary accounts for it. Not a speed test: it checks that the instrument works.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killMarked, markedPids } from './proc-guard.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const MARKER = `SHOAL_SIM_TEST=${process.pid}-${Date.now()}`;
const env = { ...process.env, SHOAL_SIM_TEST: MARKER.split('=')[1], SHOAL_LOG_LEVEL: 'warn' };
let port = 0;
let data = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function healthy(p: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((r) => {
      http.get({ host: '127.0.0.1', port: p, path: '/health' }, (res) => {
        res.resume();
        r(res.statusCode === 200);
      }).on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server not healthy');
}

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  expect(fs.existsSync(path.join(REPO, 'dist/client-sim/main.js')), 'run npm run build first').toBe(true);
  port = await freePort();
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-simtest-'));
  spawn(process.execPath, [
    'dist/server/main.js', '--port', String(port), '--host', '127.0.0.1', '--data', data, '--workers', '2',
    '--max-msg-rate', '1000',
  ], { cwd: REPO, env, stdio: 'ignore', detached: true }).unref();
  await healthy(port, 30_000);
});

afterAll(async () => {
  killMarked(MARKER);
  await new Promise((r) => setTimeout(r, 200));
  fs.rmSync(data, { recursive: true, force: true });
});

describe('client-sim', () => {
  it('joins every player over TCP and WebSocket, plays, and reports merged figures', async () => {
    const r = await run([
      'dist/client-sim/main.js', '--players', '24', '--transport', 'mix', '--room-size', '8', '--seconds', '5',
      '--procs', '2', '--port', String(port), '--json', '--chat-every', '2', '--leave-fraction', '0.15',
      '--drop-fraction', '0.15',
    ], 60_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(s.peakJoined).toBe(24);
    expect(s.connectMs.failed).toBe(0);
    expect(s.connectMs.count).toBeGreaterThanOrEqual(24);
    // It really played: states came, pings were answered, chat went round its rooms.
    expect(s.states.delivered).toBeGreaterThan(0);
    expect(s.states.expected).toBeGreaterThan(0);
    expect(s.rttMs.count).toBeGreaterThan(0);
    expect(s.counters.inputsSent).toBeGreaterThan(24 * 10);
    expect(s.chat.received).toBeGreaterThanOrEqual(s.chat.sent);
    expect(s.traffic.bytesIn).toBeGreaterThan(0);
    expect(s.traffic.bytesOut).toBeGreaterThan(0);
    // Planned leaves rejoin and planned drops resume with their token.
    expect(s.churn.rejoins).toBe(s.churn.leaves);
    expect(s.resumeMs.ok).toBe(s.churn.drops);
    expect(s.errors).toEqual({});
    // The children are gone once the parent has printed its summary.
    const sims = markedPids(MARKER).filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('client-sim');
      } catch {
        return false;
      }
    });
    expect(sims).toEqual([]);
  });
});
