// Starts a real redis-server (the Debian package; `npm test` installs it, scripts/test-deps.txt) on
// a free port with its own data directory, and always stops it: after the test, and on exit even
// when a test fails. kill() is a SIGKILL (for failure tests); start() brings it back on the same
// port and directory, with what its append-only file kept.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './server.js';

export interface TestRedis {
  port: number;
  /** redis://127.0.0.1:PORT (for --store) */
  url: string;
  dir: string;
  proc: ChildProcess | null;
  /** A client for the test's own checks (closed by stop()). */
  client(): Redis;
  /** SIGKILL: nothing flushed beyond what appendfsync already wrote. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** appendfsync policy; default 'always' (no acknowledged write is lost on a crash). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Use this port (restart tests pick theirs). */
  port?: number;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export function haveRedis(): boolean {
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((f) => fs.existsSync(f));
}

export async function startRedis(o: RedisOptions = {}): Promise<TestRedis> {
  const port = o.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-redis-'));
  const clients: Redis[] = [];
  const r: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    proc: null,
    client() {
      const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: false });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    async kill() {
      const p = r.proc;
      if (!p) return;
      r.proc = null;
      const gone = new Promise((res) => p.once('exit', res));
      p.kill('SIGKILL');
      await gone;
      live.delete(p);
    },
    async start() {
      const args = [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
        '--appendonly', 'yes', '--appendfsync', o.appendfsync ?? 'always',
        '--protected-mode', 'no', '--daemonize', 'no', '--logfile', path.join(dir, 'redis.log'),
      ];
      const p = spawn('redis-server', args, { stdio: 'ignore' });
      r.proc = p;
      live.add(p);
      p.once('exit', () => live.delete(p));
      await waitReady(port, p);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await r.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await r.start();
  return r;
}

async function waitReady(port: number, p: ChildProcess): Promise<void> {
  const until = Date.now() + 10_000;
  let exited = false;
  p.once('exit', () => (exited = true));
  while (Date.now() < until) {
    if (exited) throw new Error(`redis-server on port ${port} exited at start`);
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') {
        c.disconnect();
        return;
      }
    } catch {
      // not up yet
    }
    c.disconnect();
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`redis-server on port ${port} not ready within 10 s`);
}
