// The console commands that change the server's processes: `restart all` under connected players
// loses none, a second server on the same data directory is refused, a stale socket from a killed
// server is replaced (and bans survive it), and `shutdown` stops the server like SIGTERM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { MAIN, freePort, startServer, until, type TestServer } from '../helpers/server.js';
import { ask, run } from './console-helpers.js';

interface Seat { id: string; room: string; score: number; worker: number }

describe('operator console: restart, lock, shutdown', { timeout: 90_000 }, () => {
  let server: TestServer;
  let again: TestServer | undefined;
  const clients: ShoalClient[] = [];

  beforeAll(async () => {
    // Many coins and a wide reach, so players score within a second of moving.
    server = await startServer({ workers: 2, args: ['--coins', '300', '--pickup-radius', '60'] });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await again?.stop();
    await server?.stop();
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }, 40_000);

  const seats = async (sock: string): Promise<Map<string, Seat>> =>
    new Map((await run(sock, 'players')).map((p: Seat & { state: string }) => [p.id, p]));

  it('restart all replaces every worker with no player lost: same id, room and score', async () => {
    const sock = server.consoleSocket;
    const plan: Array<[string, 'tcp' | 'ws']> = [['reef', 'tcp'], ['kelp', 'ws'], ['reef', 'ws'], ['kelp', 'tcp']];
    for (const [i, [room, transport]] of plan.entries()) {
      const c = server.client({ transport, name: `fish${i}`, room });
      clients.push(c);
      await c.connect();
    }
    const before0 = await run(sock, 'rooms');
    expect(new Set(before0.map((r: { worker: number }) => r.worker)).size).toBe(2);
    // Swim, so there are scores to keep; then stop, so they stay put.
    clients.forEach((c, i) => c.input(i % 2 ? -1 : 1, 0.5));
    await until(async () => [...(await seats(sock)).values()].filter((s) => s.score > 0).length >= 2, 10_000, 'scores');
    for (const c of clients) c.input(0, 0);
    await new Promise((r) => setTimeout(r, 400));
    const before = await seats(sock);
    expect(before.size).toBe(4);
    const pids = (await run(sock, 'workers')).map((w: { pid: number }) => w.pid);
    // Run-time changes must reach the replacement processes too.
    await run(sock, 'loglevel', 'debug', 'worker');
    await run(sock, 'set', 'maxMsgRate', '5');
    await run(sock, 'drain', '1');

    const report = await run(sock, 'restart', 'all');
    expect(report.map((r: { worker: number }) => r.worker)).toEqual([0, 1]);
    for (const r of report) {
      expect(r.newPid).not.toBe(r.oldPid);
      expect(r.missing).toEqual([]);
    }
    const workers = await run(sock, 'workers');
    for (const w of workers) {
      expect(['running', 'draining']).toContain(w.state);
      expect(w.restarts).toBe(1);
      expect(pids).not.toContain(w.pid);
    }
    // Every player came back by itself (bye "restart", then a resume with its token).
    for (const c of clients) {
      expect(c.status).toBe('joined');
      expect(c.reconnects).toBeGreaterThanOrEqual(1);
    }
    const after = await seats(sock);
    for (const [id, s] of before) {
      const a = after.get(id);
      expect(a, `player ${id}`).toBeDefined();
      expect(a).toMatchObject({ id, room: s.room, state: 'connected' });
      expect(a!.score).toBeGreaterThanOrEqual(s.score);
    }
    expect(clients.map((c) => c.id).sort()).toEqual([...before.keys()].sort());
    // The primary's connection count (for maxConnections) did not keep the replaced ones.
    await until(async () => (await run(sock, 'status')).processes[0].connections === clients.length, 3000, 'primary connection count');

    expect((await run(sock, 'loglevel')).filter((l: { id: string }) => l.id.startsWith('worker')).map((l: { level: string }) => l.level)).toEqual(['debug', 'debug']);
    expect(workers[1].state).toBe('draining');
    const limited = clients[0]!.next('error', (m) => m.code === 'RATE_LIMITED');
    for (let i = 0; i < 30; i++) clients[0]!.send({ t: 'ping', id: 500 + i });
    await limited;
    await run(sock, 'set', 'maxMsgRate', '60');
    await run(sock, 'loglevel', 'info');
    await run(sock, 'undrain', '1');
    expect((await ask(sock, 'restart', '9')).error!.code).toBe('BAD_ARGS');
  });

  it('refuses a second server on the same data directory, and the first keeps running', async () => {
    const port = await freePort();
    const second = spawn(process.execPath, [MAIN, '--port', String(port), '--host', '127.0.0.1', '--data', server.dataDir, '--workers', '1'], {
      env: { ...process.env, SHOAL_LOG_JSON: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    second.stdout.on('data', (d) => (out += d));
    second.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    expect(code).toBe(3);
    expect(out).toMatch(/another Shoal server is running.*console\.sock answers/);
    expect(out).toContain('CONSOLE_IN_USE');
    // It stopped before starting a coordinator or a worker of its own.
    expect(out).not.toMatch(/"role":"(coordinator|worker)"/);
    const s = await run(server.consoleSocket, 'status');
    expect(s.processes[0].pid).toBe(server.pid);
    expect(fs.statSync(server.consoleSocket).isSocket()).toBe(true);
  });

  it('replaces the stale socket of a killed server; bans survive in the coordinator', async () => {
    await run(server.consoleSocket, 'ban', '192.0.2.7', '60');
    await run(server.consoleSocket, 'ban', '2001:db8::/32');
    for (const c of clients) c.close();
    await server.kill();
    // SIGKILL leaves the socket file behind, with nobody answering on it.
    expect(fs.statSync(server.consoleSocket).isSocket()).toBe(true);
    again = await startServer({ workers: 1, dataDir: server.dataDir });
    const bans = await run(again.consoleSocket, 'bans');
    expect(bans.map((b: { address: string }) => b.address)).toEqual(['192.0.2.7', '2001:db8::/32']);
    expect(bans[0].minutesLeft).toBeGreaterThan(55);
    expect(bans[1].until).toBeNull();
    expect(fs.statSync(again.consoleSocket).mode & 0o777).toBe(0o600);
  });

  let last: ShoalClient;

  it('restart of the only worker: its players wait for the replacement and resume there', async () => {
    const sock = again!.consoleSocket;
    last = again!.client({ transport: 'ws', name: 'last', room: 'atoll' });
    clients.push(last);
    const welcome = await last.connect();
    const [r] = await run(sock, 'restart', '0');
    expect(r).toMatchObject({ worker: 0, players: 1, back: 1, missing: [] });
    expect(last.status).toBe('joined');
    expect(last.reconnects).toBe(1);
    expect(last.id).toBe(welcome.id);
    expect((await run(sock, 'room', 'atoll')).players).toEqual([expect.objectContaining({ id: welcome.id, state: 'connected' })]);
  });

  it('shutdown: warns players when delayed, can be cancelled, and stops like SIGTERM', async () => {
    const sock = again!.consoleSocket;
    const c = last;
    const warned = c.next('chat', (m) => m.from === 'server');
    expect(await run(sock, 'shutdown', '60')).toMatchObject({ shutdown: true, inSeconds: 60 });
    expect((await warned).text).toMatch(/shuts down in 60 s/);
    expect((await run(sock, 'status')).totals.shutdownInS).toBeGreaterThan(50);
    expect(await run(sock, 'shutdown', 'cancel')).toEqual({ cancelled: true });
    expect((await ask(sock, 'shutdown', 'cancel')).error!.code).toBe('NO_SHUTDOWN');
    expect((await ask(sock, 'shutdown', 'soon')).error!.code).toBe('BAD_ARGS');

    const bye = c.next('bye', undefined, 15_000);
    const exited = new Promise<number | null>((r) => again!.proc.once('exit', (code) => r(code)));
    expect(await run(sock, 'shutdown')).toMatchObject({ shutdown: true, inSeconds: 0 });
    expect((await bye).reason).toBe('shutdown');
    expect(await exited).toBe(0);
    expect(fs.existsSync(sock)).toBe(false);
    await again!.waitForLog((l) => l.msg === 'shutdown complete');
  });
});
