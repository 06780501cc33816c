// Starts a real redis-server (the Debian package; `npm test` installs it, scripts/test-deps.txt) on
// a free port with its own data directory, and always stops it: after the test, and on exit even
// when a test fails. kill() is a SIGKILL (for failure tests); start() brings it back on the same
// port and directory, with what its append-only file kept. (loadtest/redis-server.ts runs it.)
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer, type AppendFsync } from '../../loadtest/redis-server.js';
import { freePort } from './server.js';

export interface TestRedis {
  port: number;
  /** redis://127.0.0.1:PORT (for --store) */
  url: string;
  dir: string;
  readonly proc: ChildProcess | null;
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
  appendfsync?: AppendFsync;
  /** Use this port (restart tests pick theirs). */
  port?: number;
}

export async function startRedis(o: RedisOptions = {}): Promise<TestRedis> {
  const port = o.port ?? (await freePort());
  const server = new RedisServer(port, fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-redis-')), o.appendfsync ?? 'always');
  const clients: Redis[] = [];
  await server.start();
  return {
    port,
    url: server.url,
    dir: server.dir,
    get proc() {
      return server.proc;
    },
    client() {
      const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    kill: () => server.kill(),
    start: () => server.start(),
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
}
