// Helpers for the world tests: a real Channel to the coordinator's socket (acting as one more
// worker), commands run inside real worker processes through the worldDebug hook, and child
// processes that contend for world primitives from outside the test process.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '../../shared/ipc/channel.js';
import type { DebugCmd } from '../../server/worker/world/world-debug.js';
import type { TestServer } from '../helpers/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CONTENDER = path.join(here, 'contender.mjs');

export function coordSocket(s: TestServer): string {
  return path.join(s.dataDir, 'coordinator.sock');
}

/** A channel to the coordinator, speaking the same ops a worker does. */
export function connect(s: TestServer): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(coordSocket(s));
    sock.once('error', reject);
    sock.once('connect', () => resolve(new Channel(sock, null, null)));
  });
}

/** Runs a command inside the worker in `slot`, through its real world client. */
export function inWorker<T = any>(ch: Channel, slot: number, cmd: DebugCmd, timeoutMs = 30_000): Promise<T> {
  return ch.request<T>('world.debug.run', { slot, cmd, timeoutMs }, timeoutMs + 2000);
}

export interface ContenderResult {
  id: number;
  records: any[];
}

/** Runs `count` child node processes of contender.mjs with the given job; resolves with their output. */
export async function contenders(s: TestServer, count: number, job: Record<string, unknown>, timeoutMs = 30_000): Promise<ContenderResult[]> {
  const start = Date.now() + 300; // every child starts its work at this moment, for real contention
  const runs = Array.from({ length: count }, (_, id) =>
    new Promise<ContenderResult>((resolve, reject) => {
      const p = spawn(process.execPath, [CONTENDER], {
        env: { ...process.env, SOCK: coordSocket(s), JOB: JSON.stringify({ ...job, id, start }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) return reject(new Error(`contender ${id} exited ${code}: ${err}`));
        try {
          resolve({ id, records: JSON.parse(out) });
        } catch {
          reject(new Error(`contender ${id} printed no JSON: ${out} ${err}`));
        }
      });
    }),
  );
  return Promise.all(runs);
}

/** The pid from the latest log line that matches. */
function lastPid(s: TestServer, match: (o: Record<string, unknown>) => boolean, what: string): number {
  let pid = 0;
  for (const l of s.logs) {
    try {
      const o = JSON.parse(l);
      // 'worker joined' (coordinator) names the worker's pid as workerPid; its own pid is the coordinator's.
      if (match(o)) pid = o.workerPid ?? o.pid;
    } catch {
      // not JSON
    }
  }
  if (!pid) throw new Error(`no ${what} seen in the logs`);
  return pid;
}

/** Log lines travel apart from channel replies, so wait for the first one before reading the latest. */
async function latestPid(s: TestServer, match: (o: Record<string, unknown>) => boolean, what: string): Promise<number> {
  await s.waitForLog(match, 10_000);
  return lastPid(s, match, what);
}

/** The pid of the worker in `slot`, from the coordinator's 'worker joined' log line (latest). */
export function workerPid(s: TestServer, slot: number): Promise<number> {
  return latestPid(s, (o) => o.msg === 'worker joined' && o.slot === slot, `worker in slot ${slot}`);
}

/** The pid of the (latest) coordinator process. */
export function coordinatorPid(s: TestServer): Promise<number> {
  return latestPid(s, (o) => o.msg === 'coordinator listening', 'coordinator');
}
