// Starts a real Shoal server (primary, coordinator, workers) on a free port with its own data
// directory, and stops every process it started — the whole process group — even when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ShoalClient, type ClientOptions } from '../../shared/client/client.js';
import { tcpConnector } from '../../shared/client/tcp-transport.js';
import { wsConnector, type WsConstructor } from '../../shared/client/ws-transport.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(root, 'dist/server/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  workers?: number;
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  port?: number;
  /** Return at once instead of waiting for the server to listen (start-up failure tests). */
  noWait?: boolean;
  /** The script to start (a server script calling createServer); default MAIN, `npm start`'s. */
  script?: string;
  /** The loopback address it binds (127.0.0.2, 127.0.0.3 make distinct hosts); default 127.0.0.1. */
  host?: string;
}

export interface TestServer {
  /** The address it binds and its clients connect to. */
  host: string;
  port: number;
  dataDir: string;
  consoleSocket: string;
  proc: ChildProcess;
  pid: number;
  logs: string[];
  /** Graceful stop (SIGTERM); resolves with the exit code. Kills the group if it hangs. */
  stop(): Promise<number | null>;
  /** Kill -9 of the whole process group. */
  kill(): Promise<void>;
  /** Waits for a log line matching the predicate. */
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  client(opts: Partial<ClientOptions> & { transport?: 'tcp' | 'ws' }): ShoalClient;
}

const live = new Set<TestServer>();
process.on('exit', () => {
  for (const s of live) {
    try {
      process.kill(-s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function startServer(o: StartOptions = {}): Promise<TestServer> {
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-test-'));
  const consoleSocket = path.join(dataDir, 'console.sock');
  const host = o.host ?? '127.0.0.1';
  const args = [o.script ?? MAIN, '--port', String(port), '--host', host, '--data', dataDir, '--workers', String(o.workers ?? 2), ...(o.args ?? [])];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, SHOAL_LOG_JSON: '1', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() reaches the workers and the coordinator too.
    detached: true,
  });
  const logs: string[] = [];
  const listeners = new Set<(l: Record<string, unknown>) => void>();
  let buf = '';
  const onOut = (chunk: Buffer) => {
    buf += chunk.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      logs.push(line);
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line);
      } catch {
        continue;
      }
      for (const fn of listeners) fn(obj);
    }
  };
  proc.stdout.on('data', onOut);
  proc.stderr.on('data', onOut);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      for (const l of logs) {
        try {
          const obj = JSON.parse(l);
          if (pred(obj)) return resolve(obj);
        } catch {
          // not JSON
        }
      }
      const timer = setTimeout(() => {
        listeners.delete(fn);
        reject(new Error(`log line not seen within ${timeoutMs} ms; last logs:\n${logs.slice(-20).join('\n')}`));
      }, timeoutMs);
      const fn = (l: Record<string, unknown>) => {
        if (pred(l)) {
          clearTimeout(timer);
          listeners.delete(fn);
          resolve(l);
        }
      };
      listeners.add(fn);
    });

  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      // already gone
    }
  };

  const s: TestServer = {
    host,
    port,
    dataDir,
    consoleSocket,
    proc,
    pid: proc.pid!,
    logs,
    waitForLog,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      killGroup('SIGKILL');
      live.delete(s);
      return code === 'timeout' ? null : code;
    },
    async kill() {
      killGroup('SIGKILL');
      await exited;
      live.delete(s);
    },
    client(opts) {
      const connector =
        opts.transport === 'ws'
          ? wsConnector(`ws://${host}:${port}/ws`, WebSocket as unknown as WsConstructor)
          : tcpConnector(host, port);
      return new ShoalClient({ name: 'player', ...opts, connector });
    },
  };
  live.add(s);
  if (o.noWait) return s;
  const started = waitForLog((l) => l.msg === 'shoal listening', 30_000);
  const died = exited.then((code) => {
    throw new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`);
  });
  await Promise.race([started, died]);
  died.catch(() => {});
  return s;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until fn returns a truthy value. */
/** Polls `fn` until it returns a truthy value, and resolves that value. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Parsed JSON log lines of a server. */
export function logLines(s: TestServer): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  for (const l of s.logs) {
    try {
      out.push(JSON.parse(l));
    } catch {
      // not JSON
    }
  }
  return out;
}

/**
 * The pid of the live worker in a slot: the latest the primary saw become ready. (Read from the
 * primary's own line: it is logged before the primary listens, while the worker's own "worker
 * ready" line comes through another process's stdout and may not have arrived yet.)
 */
export function workerPid(s: TestServer, slot: number): number {
  const ready = logLines(s).filter((l) => l.role === 'primary' && l.slot === slot && l.msg === 'worker running');
  if (!ready.length) throw new Error(`no worker ready in slot ${slot}`);
  return ready[ready.length - 1]!.workerPid as number;
}

export function coordinatorPid(s: TestServer): number {
  const l = logLines(s).filter((x) => x.role === 'coordinator' && x.msg === 'coordinator listening');
  if (!l.length) throw new Error('coordinator not seen');
  return l[l.length - 1]!.pid as number;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
