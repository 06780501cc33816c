// A real redis-server (the Debian package) for tests and benches: on a given port with its own
// data directory and an append-only file (appendfsync as asked). kill() is a SIGKILL; start()
// brings it back on the same port and directory with what its append-only file kept. The test
// harness (test/helpers/redis.ts) and the cluster benches both start Redis through this.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

export type AppendFsync = 'always' | 'everysec' | 'no';

export class RedisServer {
  proc: ChildProcess | null = null;

  constructor(readonly port: number, readonly dir: string, readonly appendfsync: AppendFsync = 'always') {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', this.appendfsync,
      '--protected-mode', 'no', '--daemonize', 'no', '--logfile', path.join(this.dir, 'redis.log'),
    ];
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    this.proc = p;
    live.add(p);
    p.once('exit', () => live.delete(p));
    await waitReady(this.port, p);
  }

  /** SIGKILL: nothing flushed beyond what appendfsync already wrote. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((res) => p.once('exit', res));
      p.kill('SIGKILL');
      await gone;
    }
    live.delete(p);
  }

  /** Stops it and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

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
