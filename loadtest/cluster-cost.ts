// What scaling out on Redis costs, side by side in one run on this machine: the same arena load on
// (file) one host with the embedded store, (redis-1) one host on Redis, and (redis-2) two hosts on
// one Redis, each host with half the workers (so the same cores in total). Rounds alternate the
// order. Per run: delivered states, RTT, the CPU of every Shoal process, and Redis's own cost over
// the measured window: commands it processed (INFO stats) and its CPU (/proc). Two hosts on one
// machine share its cores: this is a cost figure, not a capacity claim.
//   node dist/loadtest/cluster-cost.js --players 1000 --rounds 3
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { runLean, type LeanResult } from './lean/run.js';
import { shoalInRooms } from './lean/shoal-protocol.js';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { processCpuSeconds } from './proc-stats.js';
import { RedisServer, type AppendFsync } from './redis-server.js';
import { writeResult } from './report/write.js';
import { median, pairedRatio, ratio, type ScenarioResult } from './result.js';
import { startShoal, type RunningServer } from './servers.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

type Setup = 'file' | 'redis-1' | 'redis-2';
const SETUPS: Setup[] = ['file', 'redis-1', 'redis-2'];

interface Run {
  round: number;
  setup: Setup;
  players: number;
  joined: number;
  delivered: number;
  rttP50Ms: number | null;
  rttP99Ms: number | null;
  serverCores: number;
  clientCores: number;
  redisCores: number | null;
  redisCommandsPerSecond: number | null;
  load1: number;
  errors: string;
}

async function redisSample(r: Redis, pid: number): Promise<{ commands: number; cpu: number; at: number }> {
  const info = await r.info('stats');
  const m = /total_commands_processed:(\d+)/.exec(info);
  return { commands: m ? Number(m[1]) : NaN, cpu: processCpuSeconds(pid), at: performance.now() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      players: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      appendfsync: { type: 'string', default: 'always' },
      label: { type: 'string', default: 'cluster-cost' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const players = Number(values.players);
  const workers = Number(values.workers);
  if (workers < 2 || workers % 2) throw new Error('--workers must be even (two hosts get half each)');
  stopAllOnExit();
  const m = machine();
  console.log(`cluster-cost: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? SETUPS : [...SETUPS].reverse();
    for (const setup of order) runs.push(await runOne(setup, round, players, workers, values));
  }

  const of = (s: Setup, k: keyof Run) => runs.filter((r) => r.setup === s).sort((a, b) => a.round - b.round).map((r) => Number(r[k] ?? NaN));
  const per1000 = (v: number) => (v * 1000) / players;
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/cluster-cost.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('redis-1: Redis commands a second per 1000 players (median)', per1000(median(of('redis-1', 'redisCommandsPerSecond')))),
      ratio('redis-2: Redis commands a second per 1000 players (median)', per1000(median(of('redis-2', 'redisCommandsPerSecond')))),
      ratio('redis-1: Redis cores per 1000 players (median)', per1000(median(of('redis-1', 'redisCores')))),
      ratio('redis-2: Redis cores per 1000 players (median)', per1000(median(of('redis-2', 'redisCores')))),
      ratio('file: server cores per 1000 players (median)', per1000(median(of('file', 'serverCores')))),
      ratio('redis-1: server cores per 1000 players (median)', per1000(median(of('redis-1', 'serverCores')))),
      ratio('redis-2: server cores per 1000 players, both hosts (median)', per1000(median(of('redis-2', 'serverCores')))),
      ratio('redis-1 / file: server cores (median of per-round ratios)', pairedRatio(of('redis-1', 'serverCores'), of('file', 'serverCores'))),
      ratio('redis-2 / redis-1: server cores (median of per-round ratios)', pairedRatio(of('redis-2', 'serverCores'), of('redis-1', 'serverCores'))),
      ratio('redis-2 / redis-1: server + Redis cores (median of per-round ratios)', pairedRatio(
        runs.filter((r) => r.setup === 'redis-2').sort((a, b) => a.round - b.round).map((r) => r.serverCores + (r.redisCores ?? 0)),
        runs.filter((r) => r.setup === 'redis-1').sort((a, b) => a.round - b.round).map((r) => r.serverCores + (r.redisCores ?? 0)),
      )),
      ...SETUPS.map((s) => ratio(`${s}: delivered (median)`, median(of(s, 'delivered')))),
      ...SETUPS.map((s) => ratio(`${s}: RTT p99 ms (median)`, median(of(s, 'rttP99Ms')))),
      ratio('load average (1 min) over the runs, median', median(runs.map((r) => r.load1))),
    ],
    rows: runs.map((r) => ({ ...r })),
    notes: [
      `Each run: fresh servers; ${players} arena players from one lean client process (even TCP, odd WebSocket), input 10 Hz, ping 1 Hz, ` +
      `${values.warmup} s warm-up then ${values.seconds} s measured. file and redis-1: one host with ${workers} workers; redis-2: two hosts ` +
      `(127.0.0.2 and 127.0.0.3) with ${workers / 2} workers each, half the players on each. Every player names its room (16 a room, ` +
      'each host its own rooms): quick-join would send a host\'s newcomers to the other host\'s free seats (REDIRECT).',
      `A fresh redis-server for each Redis run (appendfsync ${values.appendfsync}, append-only file on this machine's disk). ` +
      'Redis commands: total_commands_processed over the window; Redis cores: its user+system CPU over the window.',
      'Server cores: user+system CPU of every Shoal process (all hosts) over the window, from /proc. All of it shares 2 cores with the load client.',
    ],
  };
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

async function runOne(setup: Setup, round: number, players: number, workers: number, values: Record<string, string | boolean | undefined>): Promise<Run> {
  let redis: RedisServer | null = null;
  let admin: Redis | null = null;
  const hosts: RunningServer[] = [];
  try {
    const store: string[] = [];
    if (setup !== 'file') {
      redis = new RedisServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-redis-')), values.appendfsync as AppendFsync);
      await redis.start();
      admin = new Redis({ host: '127.0.0.1', port: redis.port });
      store.push('--store', redis.url);
    }
    // Every player comes from 127.0.0.1 and names its room: the per-address room-making limit is for abuse, not this.
    store.push('--rooms-per-address-per-minute', '1000000');
    const addresses = setup === 'redis-2' ? ['127.0.0.2', '127.0.0.3'] : ['127.0.0.1'];
    const each = setup === 'redis-2' ? workers / 2 : workers;
    for (const host of addresses) hosts.push(await startShoal({ workers: each, host, args: store }));
    const load1 = os.loadavg()[0]!;
    let r0: Awaited<ReturnType<typeof redisSample>> | null = null;
    let r1: Awaited<ReturnType<typeof redisSample>> | null = null;
    const pending: Array<Promise<void>> = [];
    const onWindow = (edge: 'start' | 'end') => {
      if (!admin || !redis?.proc?.pid) return;
      const pid = redis.proc.pid;
      pending.push(redisSample(admin, pid).then((s) => {
        if (edge === 'start') r0 = s;
        else r1 = s;
      }));
    };
    const share = Math.floor(players / hosts.length);
    const results: LeanResult[] = await Promise.all(hosts.map((h, i) => runLean({
      host: addresses[i]!, port: h.port, players: i === hosts.length - 1 ? players - share * i : share, transport: 'mix',
      seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), inputHz: 10, pingHz: 1, rampPerSecond: 1000,
      serverPid: h.proc.pid, onWindow: i === 0 ? onWindow : undefined,
      // Rooms of 16 named per host, in every setup alike: each host plays its own rooms.
      protocol: shoalInRooms(`h${i}`, 16),
    })));
    await Promise.all(pending);
    const a = r0 as Awaited<ReturnType<typeof redisSample>> | null;
    const b = r1 as Awaited<ReturnType<typeof redisSample>> | null;
    const wall = a && b ? (b.at - a.at) / 1000 : null;
    const joined = results.reduce((n, r) => n + r.joined, 0);
    const expected = results.reduce((n, r) => n + r.statesExpected, 0);
    const received = results.reduce((n, r) => n + r.statesReceived, 0);
    const run: Run = {
      round, setup, players, joined,
      delivered: expected ? Math.round((received / expected) * 10000) / 10000 : 0,
      rttP50Ms: median(results.map((r) => r.rttP50Ms ?? NaN)),
      rttP99Ms: Math.max(...results.map((r) => r.rttP99Ms ?? NaN)),
      serverCores: Math.round(results.reduce((n, r) => n + (r.serverCores ?? 0), 0) * 1000) / 1000,
      // One client process drives every host: its CPU is counted once per runLean call, so take the largest.
      clientCores: Math.max(...results.map((r) => r.clientCores)),
      redisCores: a && b && wall ? Math.round(((b.cpu - a.cpu) / wall) * 1000) / 1000 : null,
      redisCommandsPerSecond: a && b && wall ? Math.round((b.commands - a.commands) / wall) : null,
      load1: Math.round(load1 * 100) / 100,
      errors: JSON.stringify(Object.assign({}, ...results.map((r) => r.errors))),
    };
    console.log(`round ${round} ${setup}: ${joined}/${players} joined, delivered ${run.delivered}, p99 ${run.rttP99Ms} ms, server ${run.serverCores} cores, ` +
      `redis ${run.redisCores ?? '-'} cores ${run.redisCommandsPerSecond ?? '-'} cmd/s, client ${run.clientCores}, load ${run.load1}`);
    return run;
  } finally {
    for (const h of hosts) await h.stop();
    admin?.disconnect();
    await redis?.stop();
  }
}

runToExit(main);
