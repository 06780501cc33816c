// Cross-host world chat latency (issue 14): two Shoal hosts (127.0.0.2 and 127.0.0.3) on one
// redis-server, N players on each, world chat lines sent at a steady rate by players of both
// hosts, each line carrying its send time. Every player times every line it receives, so the
// same run gives the latency to players on the other host (through Redis pub/sub) beside the
// latency to players on the sender's own host (coordinator to its workers only): medians and
// p99 side by side, under the same load.
//
//   npm run build && node dist/loadtest/cluster-chat.js [--players 50] [--lines 600] [--rate 20]
//     [--workers 1] [--out loadtest/results]       (writes <date>-cluster-chat.json and .md)
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ShoalClient } from '../shared/client/client.js';
import { tcpConnector } from '../shared/client/tcp-transport.js';
import { freePort } from './free-port.js';
import { machine, describeMachine } from './machine.js';
import { startProcess, runToExit, stopAllOnExit, type ManagedProcess } from './processes.js';
import { ratio, type ScenarioResult } from './result.js';
import { writeResult } from './report/write.js';
import { seededRandom } from './seeded-random.js';
import { SHOAL_MAIN } from './servers.js';

const { values } = parseArgs({
  options: {
    players: { type: 'string', default: '50' },
    lines: { type: 'string', default: '600' },
    rate: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1' },
    out: { type: 'string', default: 'loadtest/results' },
    'no-write': { type: 'boolean', default: false },
  },
});
const PLAYERS = Number(values.players);
const LINES = Number(values.lines);
const RATE = Number(values.rate);
const WORKERS = Number(values.workers);
const HOSTS = ['127.0.0.2', '127.0.0.3'];

/** The q-quantile (nearest rank) of sorted values. */
function q(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
const r2 = (x: number) => Math.round(x * 100) / 100;

async function startRedis(): Promise<{ port: number; proc: ManagedProcess; dir: string }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-lt-redis-'));
  const proc = startProcess('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end('PING\r\n');
      });
      s.on('data', (d) => resolve(d.toString().startsWith('+PONG')));
      s.on('error', () => resolve(false));
    });
    if (ok) return { port, proc, dir };
    if (Date.now() > until) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startHost(host: string, redisPort: number): Promise<{ host: string; port: number; proc: ManagedProcess; data: string }> {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-lt-host-'));
  const log = fs.openSync(path.join(data, 'server.log'), 'a');
  const proc = startProcess(`shoal@${host}`, process.execPath, [
    SHOAL_MAIN, '--port', String(port), '--host', host, '--data', data, '--workers', String(WORKERS),
    '--store', `redis://127.0.0.1:${redisPort}`, '--max-msg-rate', '100000', '--max-connections', '200000', '--max-connections-per-address', '200000',
  ], { stdio: ['ignore', log, log], env: { ...process.env, SHOAL_LOG_LEVEL: 'warn' } });
  fs.closeSync(log);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host, port, path: '/health', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (ok) return { host, port, proc, data };
    if (!proc.alive || Date.now() > deadline) throw new Error(`shoal on ${host} did not start: ${fs.readFileSync(path.join(data, 'server.log'), 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Player {
  c: ShoalClient;
  host: number;
}

async function main(): Promise<number> {
  stopAllOnExit();
  const m = machine();
  const startedAt = new Date();
  console.log(`cluster-chat: ${PLAYERS} players on each of 2 hosts, ${LINES} world chat lines at ${RATE}/s; ${describeMachine(m)}`);
  const redis = await startRedis();
  const hosts = await Promise.all(HOSTS.map((h) => startHost(h, redis.port)));
  const players: Player[] = [];
  // send time of each line, and which host sent it
  const sentAt = new Map<number, { t: number; host: number }>();
  const lat: [number[], number[]] = [[], []]; // [same host, other host]
  let wrongHost = 0;
  try {
    for (let h = 0; h < hosts.length; h++) {
      const { host, port } = hosts[h]!;
      const joins: Array<Promise<unknown>> = [];
      for (let i = 0; i < PLAYERS; i++) {
        const c = new ShoalClient({ connector: tcpConnector(host, port), name: `h${h}p${i}` });
        players.push({ c, host: h });
        c.on('chat', (msg) => {
          const now = performance.now();
          if (msg.scope !== 'world') return;
          const mm = /^cc (\d+)$/.exec(msg.text);
          if (!mm) return;
          const s = sentAt.get(Number(mm[1]));
          if (!s) return wrongHost++;
          lat[s.host === h ? 0 : 1].push(now - s.t);
        });
        joins.push(c.connect());
      }
      await Promise.all(joins);
    }
    // Settle: every player seated, the bus subscribed on both hosts.
    await new Promise((r) => setTimeout(r, 2000));
    const rnd = seededRandom(14);
    const load1: number[] = [os.loadavg()[0]!];
    const t0 = performance.now();
    for (let i = 0; i < LINES; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Lines from both hosts in turn, each from a random player of that host.
      const host = i % 2;
      const p = players[host * PLAYERS + Math.floor(rnd() * PLAYERS)]!;
      sentAt.set(i, { t: performance.now(), host });
      p.c.chat(`cc ${i}`, 'world');
      if (i % RATE === 0) load1.push(os.loadavg()[0]!);
    }
    await new Promise((r) => setTimeout(r, 3000));
    load1.push(os.loadavg()[0]!);
    const expected = LINES * PLAYERS; // each line reaches PLAYERS players on each host
    const rows = (['same host', 'other host (via Redis)'] as const).map((pathName, k) => {
      const s = lat[k]!.sort((a, b) => a - b);
      return { path: pathName, deliveries: s.length, expected, p50Ms: r2(q(s, 0.5)), p90Ms: r2(q(s, 0.9)), p99Ms: r2(q(s, 0.99)), maxMs: r2(s[s.length - 1] ?? NaN) };
    });
    const [same, other] = rows as [(typeof rows)[number], (typeof rows)[number]];
    const loadMedian = [...load1].sort((a, b) => a - b)[load1.length >> 1]!;
    const result: ScenarioResult = {
      scenario: 'cluster-chat',
      quick: false,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine: m,
      command: `node dist/loadtest/cluster-chat.js --players ${PLAYERS} --lines ${LINES} --rate ${RATE} --workers ${WORKERS}`,
      ratios: [
        ratio('cross-host world chat latency p50 (ms)', other.p50Ms),
        ratio('cross-host world chat latency p99 (ms)', other.p99Ms),
        ratio('same-host world chat latency p50 (ms)', same.p50Ms),
        ratio('same-host world chat latency p99 (ms)', same.p99Ms),
        ratio('cross-host / same-host p50', other.p50Ms / same.p50Ms),
        ratio('deliveries received / expected (both paths)', (same.deliveries + other.deliveries) / (2 * expected)),
        ratio('load average (1 min) during the run, median', loadMedian),
      ],
      rows,
      notes: [
        `2 hosts (127.0.0.2, 127.0.0.3), each primary + ${WORKERS} worker(s) + coordinator, on one redis-server (no persistence: pub/sub keeps nothing anyway); ${PLAYERS} arena players on each (TCP, 20 Hz states), all in this one client process.`,
        `${LINES} world chat lines at ${RATE} a second, alternately from a random player of each host; every player times every line from the send call to its chat event (one clock: this process).`,
        'Same host: sender\'s worker -> its coordinator -> its workers -> players. Other host: ... -> coordinator -> PUBLISH shoal:bus (the lines of one event-loop turn in one message) -> the other coordinator -> its workers -> players.',
        `Load average (1 min) samples during the run: ${load1.map((x) => r2(x)).join(', ')}; everything (both hosts, Redis, the clients) shares this machine's ${m.cores} cores.`,
        `Lines not matched to a send: ${wrongHost}.`,
      ],
    };
    console.table(rows);
    for (const r of result.ratios) console.log(`${r.figure}: ${r.value}`);
    if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
  } finally {
    for (const p of players) p.c.close();
    await Promise.all(hosts.map((h) => h.proc.stop(10_000)));
    await redis.proc.stop(3000);
    for (const h of hosts) fs.rmSync(h.data, { recursive: true, force: true });
    fs.rmSync(redis.dir, { recursive: true, force: true });
  }
  return 0;
}

runToExit(main);

