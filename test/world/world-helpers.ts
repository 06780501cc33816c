// Helpers for the world tests: a real Channel to the coordinator's socket (acting as one more
// worker), commands run inside real worker processes through the worldDebug hook, and child
// processes that contend for world primitives from outside the test process.
// `startWorld(store)` runs the same tests on either store: with 'file', one server with two
// workers; with 'redis', one real redis-server and two hosts (127.0.0.2 and 127.0.0.3, one worker
// each), so worker "slot" 0 and 1 are on different hosts, and channels and contender processes
// alternate between the hosts' coordinators.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '../../shared/ipc/channel.js';
import type { DebugCmd } from '../../server/worker/world/world-debug.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

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

/** What the tests send requests through: a channel, or the hosts' router (WorldHosts). */
export interface Requester {
  request<T = any>(op: string, args: any, timeoutMs?: number): Promise<T>;
}

/** Runs a command inside the worker in `slot`, through its real world client. */
export function inWorker<T = any>(ch: Requester, slot: number, cmd: DebugCmd, timeoutMs = 30_000): Promise<T> {
  return ch.request<T>('world.debug.run', { slot, cmd, timeoutMs }, timeoutMs + 2000);
}

export interface ContenderResult {
  id: number;
  records: any[];
}

/** Runs `count` child node processes of contender.mjs with the given job; resolves with their output. */
export async function contenders(s: TestServer | WorldHosts, count: number, job: Record<string, unknown>, timeoutMs = 30_000): Promise<ContenderResult[]> {
  const start = Date.now() + 300; // every child starts its work at this moment, for real contention
  const runs = Array.from({ length: count }, (_, id) =>
    new Promise<ContenderResult>((resolve, reject) => {
      const p = spawn(process.execPath, [CONTENDER], {
        env: { ...process.env, SOCK: coordSocket(s instanceof WorldHosts ? s.host(id) : s), JOB: JSON.stringify({ ...job, id, start }) },
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

export type StoreKind = 'file' | 'redis';
export const STORES: StoreKind[] = ['file', 'redis'];

/**
 * The world of one test file on one store. Its `request` goes to the first host's coordinator,
 * except `world.debug.run`, which goes to the host running that worker slot; `connect(i)` and
 * contender i use host i modulo the hosts.
 */
export class WorldHosts implements Requester {
  private readonly routers: Channel[] = [];

  private constructor(readonly store: StoreKind, readonly servers: TestServer[], private readonly redis: TestRedis | null) {}

  static async start(store: StoreKind, args: string[]): Promise<WorldHosts> {
    if (store === 'file') return new WorldHosts(store, [await startServer({ workers: 2, args })], null);
    const redis = await startRedis();
    const servers = await Promise.all(
      ['127.0.0.2', '127.0.0.3'].map((host) => startServer({ host, workers: 1, args: [...args, '--store', redis.url] })),
    ).catch(async (err: unknown) => {
      await redis.stop();
      throw err;
    });
    return new WorldHosts(store, servers, redis);
  }

  /** The server that host `i` is (modulo the hosts). */
  host(i: number): TestServer {
    return this.servers[i % this.servers.length]!;
  }

  /** A channel to host `i`'s coordinator. */
  connect(i = 0): Promise<Channel> {
    return connect(this.host(i));
  }

  /** Where worker `slot` of the tests runs: [host index, slot on that host]. */
  private worker(slot: number): [number, number] {
    return this.servers.length === 1 ? [0, slot] : [slot, 0];
  }

  async open(): Promise<this> {
    for (let i = 0; i < this.servers.length; i++) this.routers.push(await connect(this.servers[i]!));
    return this;
  }

  request<T = any>(op: string, args: any, timeoutMs?: number): Promise<T> {
    if (op === 'world.debug.run') {
      const [h, slot] = this.worker(args.slot);
      return this.routers[h]!.request<T>(op, { ...args, slot }, timeoutMs);
    }
    return this.routers[0]!.request<T>(op, args, timeoutMs);
  }

  close(): void {
    for (const ch of this.routers) ch.destroy();
  }

  async stop(): Promise<void> {
    this.close();
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.redis?.stop();
  }
}

/** One world on `store`, with the hosts' router open. */
export async function startWorld(store: StoreKind, args: string[]): Promise<WorldHosts> {
  return (await WorldHosts.start(store, args)).open();
}
