// World API throughput from two real workers: lock acquire+release pairs and incr, a second.
// Starts its own server (2 workers, worldDebug on) in a temporary data directory, runs each
// workload inside both worker processes at once through their real world clients, prints a table
// and one JSON line, and stops the server.
//
//   npm run build && node dist/loadtest/world-bench.js [--seconds 3] [--concurrency 1,16]
//     [--fsync-ms 0,100 --rounds 3] [--stores file,redis] [--appendfsync always]
//     [--out loadtest/results/NAME]   (writes NAME.json and NAME.md)
// `--stores file,redis` also runs the same workloads on one host with --store redis (a real
// redis-server started here, appendonly with --appendfsync), rounds alternated with the file store's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '../shared/ipc/channel.js';
import { RedisServer, type AppendFsync } from './redis-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '../server/main.js');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const seconds = Number(arg('seconds', '3'));
const concurrencies = arg('concurrency', '1,16').split(',').map(Number);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Row {
  workload: string;
  concurrency: number;
  opsPerSec: number;
  perWorker: number[];
}

const workloads = [
  { workload: 'lock acquire+release, own lock per loop', kind: 'lock' },
  { workload: 'lock acquire+release, one shared lock', kind: 'lockShared' },
  { workload: 'incr, one shared counter', kind: 'incr' },
];

/** One server with the given --fsync-ms (or on Redis), ready to run workloads inside both workers. */
async function startBench(fsyncMs: number, redisUrl?: string): Promise<{ rows(): Promise<Row[]>; check(): Promise<unknown>; stop(): void }> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-wbench-'));
  const port = await freePort();
  const store = redisUrl ? ['--store', redisUrl] : [];
  const proc = spawn(process.execPath, [MAIN, '--port', String(port), '--host', '127.0.0.1', '--data', data, '--workers', '2', '--world-debug', 'true', '--golden-coin-ms', '0', '--log-level', 'warn', '--fsync-ms', String(fsyncMs), ...store], {
    env: { ...process.env, SHOAL_LOG_JSON: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  };
  process.on('exit', killGroup);
  // Ready when /health answers with both workers up.
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ workers: number }>, () => null);
    if (ok && ok.workers === 2) break;
    if (i > 300) throw new Error('server did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const sock = net.connect(path.join(data, 'coordinator.sock'));
  await new Promise((r) => sock.once('connect', r));
  const ch = new Channel(sock, null, null);
  const run = (slot: number, cmd: object) => ch.request('world.debug.run', { slot, cmd, timeoutMs: seconds * 1000 + 20_000 }, seconds * 1000 + 25_000);

  // Warm up both workers and the coordinator (JIT, first-use paths) before measuring.
  await Promise.all([0, 1].map((slot) => run(slot, { op: 'bench', kind: 'lock', ms: 500, concurrency: 4, tag: 'warm' })));
  await Promise.all([0, 1].map((slot) => run(slot, { op: 'bench', kind: 'incr', ms: 500, concurrency: 4, tag: 'warm' })));
  return {
    async rows() {
      const rows: Row[] = [];
      for (const w of workloads) {
        for (const concurrency of concurrencies) {
          const tag = `${w.kind}${concurrency}`;
          const res = (await Promise.all([0, 1].map((slot) => run(slot, { op: 'bench', kind: w.kind, ms: seconds * 1000, concurrency, tag })))) as Array<{ ops: number; ms: number }>;
          const perWorker = res.map((r) => Math.round((r.ops / r.ms) * 1000));
          rows.push({ workload: w.workload, concurrency, opsPerSec: perWorker[0]! + perWorker[1]!, perWorker });
        }
      }
      return rows;
    },
    check: () => ch.request('world.get', { name: `bench.incr${concurrencies[0]}` }),
    stop() {
      ch.close();
      killGroup();
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  // Several --fsync-ms values run side by side in one run: their rounds alternate, so a busy
  // moment on the machine hits each about equally; each row reports the median round.
  const fsyncs = arg('fsync-ms', '100').split(',').map(Number);
  const stores = arg('stores', 'file').split(',');
  const appendfsync = arg('appendfsync', 'always') as AppendFsync;
  const rounds = Number(arg('rounds', '1'));
  const out = arg('out', '');
  const benches = [];
  let redis: RedisServer | undefined;
  try {
    if (stores.includes('file')) for (const f of fsyncs) benches.push({ store: 'file', fsyncMs: f, bench: await startBench(f), runs: [] as Row[][] });
    if (stores.includes('redis')) {
      redis = new RedisServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-wbench-redis-')), appendfsync);
      await redis.start();
      benches.push({ store: `redis (appendfsync ${appendfsync})`, fsyncMs: fsyncs[0]!, bench: await startBench(fsyncs[0]!, redis.url), runs: [] as Row[][] });
    }
    const loadBefore = os.loadavg()[0]!;
    for (let r = 0; r < rounds; r++) for (const b of benches) b.runs.push(await b.bench.rows());
    // Other work on the machine skews these figures: say how busy it was.
    const load = [loadBefore, os.loadavg()[0]!].map((l) => l.toFixed(1)).join(' -> ');
    const header = `world bench: 2 workers, ${seconds}s per row, ${rounds} round(s) (median), node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), 1-min load ${load}`;
    const lines = [header, 'store'.padEnd(30) + 'fsync-ms'.padEnd(10) + 'workload'.padEnd(44) + 'loops/worker'.padStart(13) + 'ops/s total'.padStart(13) + '  rounds'];
    const result: Array<Row & { store: string; fsyncMs: number; rounds: number[] }> = [];
    for (const b of benches) {
      b.runs[0]!.forEach((_row, i) => {
        const all = b.runs.map((run) => run[i]!.opsPerSec);
        const mid = b.runs.find((run) => run[i]!.opsPerSec === median(all))![i]!;
        const m = { ...mid, store: b.store, fsyncMs: b.fsyncMs, rounds: all };
        result.push(m);
        lines.push(b.store.padEnd(30) + (b.store === 'file' ? String(b.fsyncMs) : '-').padEnd(10) + m.workload.padEnd(44) + String(m.concurrency).padStart(13) + String(m.opsPerSec).padStart(13) + '  ' + all.join(' '));
      });
    }
    const checks = await Promise.all(benches.map((b) => b.bench.check()));
    for (const l of lines) console.log(l);
    const json = { seconds, rounds, load, rows: result, counterCheck: checks };
    console.log(JSON.stringify(json));
    if (out) {
      fs.writeFileSync(`${out}.json`, JSON.stringify(json, null, 2) + '\n');
      fs.writeFileSync(`${out}.md`, ['```', ...lines, '```', ''].join('\n'));
    }
  } finally {
    for (const b of benches) b.bench.stop();
    await redis?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
