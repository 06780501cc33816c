// How long a dead host's players are without a game (--store redis): two hosts on one Redis
// (127.0.0.2 with the players, 127.0.0.3 idle), arena players (even TCP, odd WebSocket) playing on
// the first; its whole process group is SIGKILLed and every player resumes with its token at the
// second (the client's connector switches to it, as a player told REDIRECT would), which claims
// each room once the dead host's heartbeat (--host-ttl-ms) has lapsed and adopts it from Redis.
// Per round: kill -> first and last player resumed (welcome), the median player's wait, and how
// many came back with a lower score than they had been shown (must be 0). Rounds repeat on fresh
// servers; figures are medians over rounds, with the load average at each kill beside them.
//   node dist/loadtest/cluster-failover.js --players 200 --rounds 3 --ttl-ms 1500
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ShoalClient } from '../shared/client/client.js';
import { tcpConnector } from '../shared/client/tcp-transport.js';
import { wsConnector, type WsConstructor } from '../shared/client/ws-transport.js';
import type { Connector } from '../shared/client/transport.js';
import { freePort } from './free-port.js';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { RedisServer } from './redis-server.js';
import { writeResult } from './report/write.js';
import { median, ratio, type ScenarioResult } from './result.js';
import { startShoal, type RunningServer } from './servers.js';
import { steerToNearestCoin } from './steer-to-coin.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

interface Run {
  round: number;
  players: number;
  rooms: number;
  scoredBeforeKill: number;
  resumed: number;
  firstResumedMs: number | null;
  medianResumedMs: number | null;
  lastResumedMs: number | null;
  lowerScores: number;
  load1AtKill: number;
}

interface Player {
  c: ShoalClient;
  shown: number;
  resumedAt?: number;
  scoreAfter?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(fn: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}


async function runOne(round: number, players: number, ttlMs: number, playSeconds: number): Promise<Run> {
  const redis = new RedisServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-failover-redis-')), 'always');
  const hosts: RunningServer[] = [];
  const clients: Player[] = [];
  try {
    await redis.start();
    const args = ['--store', redis.url, '--host-ttl-ms', String(ttlMs), '--grace-ms', '60000'];
    const [A, B] = [await startShoal({ workers: 1, host: '127.0.0.2', args }), await startShoal({ workers: 1, host: '127.0.0.3', args })];
    hosts.push(A, B);
    let target = { host: '127.0.0.2', port: A.port };
    const connector = (ws: boolean): Connector => (hint) =>
      ws ? wsConnector(`ws://${target.host}:${target.port}/ws`, WebSocket as unknown as WsConstructor)(hint) : tcpConnector(target.host, target.port)(hint);
    let killedAt = 0;
    for (let i = 0; i < players; i++) {
      const c = new ShoalClient({ connector: connector(i % 2 === 1), name: `f${i}`, backoffMinMs: 100, backoffMaxMs: 500, resumeForMs: 120_000 });
      const p: Player = { c, shown: 0 };
      c.on('welcome', () => {
        if (killedAt && p.resumedAt === undefined) p.resumedAt = performance.now();
      });
      c.on('state', () => {
        const me = c.me;
        if (!me) return;
        if (p.resumedAt !== undefined && p.scoreAfter === undefined) p.scoreAfter = me.score;
        if (me.score > p.shown) p.shown = me.score;
        steerToNearestCoin(c, me);
      });
      clients.push(p);
    }
    for (let i = 0; i < players; i += 25) await Promise.all(clients.slice(i, i + 25).map((p) => p.c.connect()));
    const rooms = new Set(clients.map((p) => p.c.room)).size;
    await sleep(playSeconds * 1000);
    target = { host: '127.0.0.3', port: B.port };
    const load1AtKill = Math.round(os.loadavg()[0]! * 100) / 100;
    killedAt = performance.now();
    A.proc.signal('SIGKILL');
    const shownAtKill = clients.map((p) => p.shown);
    await until(() => clients.every((p) => p.scoreAfter !== undefined), 120_000);
    const waits = clients.filter((p) => p.resumedAt !== undefined).map((p) => p.resumedAt! - killedAt).sort((a, b) => a - b);
    const run: Run = {
      round, players, rooms,
      scoredBeforeKill: shownAtKill.filter((s) => s > 0).length,
      resumed: clients.filter((p) => p.scoreAfter !== undefined).length,
      firstResumedMs: waits.length ? Math.round(waits[0]!) : null,
      medianResumedMs: waits.length ? Math.round(median(waits)) : null,
      lastResumedMs: waits.length === players ? Math.round(waits[waits.length - 1]!) : null,
      lowerScores: clients.filter((p, i) => p.scoreAfter !== undefined && p.scoreAfter < shownAtKill[i]!).length,
      load1AtKill,
    };
    console.log(`round ${round}: ${run.resumed}/${players} resumed in ${rooms} rooms; first ${run.firstResumedMs} ms, median ${run.medianResumedMs} ms, ` +
      `last ${run.lastResumedMs} ms after the kill; ${run.lowerScores} lower scores; load ${load1AtKill}`);
    return run;
  } finally {
    for (const p of clients) p.c.close();
    for (const h of hosts) await h.stop();
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      players: { type: 'string', default: '200' },
      'ttl-ms': { type: 'string', default: '1500' },
      'play-seconds': { type: 'string', default: '3' },
      label: { type: 'string', default: 'cluster-failover' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const players = Number(values.players);
  const ttlMs = Number(values['ttl-ms']);
  stopAllOnExit();
  const m = machine();
  console.log(`cluster-failover: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) runs.push(await runOne(round, players, ttlMs, Number(values['play-seconds'])));
  const med = (k: keyof Run) => median(runs.map((r) => Number(r[k] ?? NaN)));
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/cluster-failover.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('failover: kill to last player resumed, ms (median over rounds)', med('lastResumedMs')),
      ratio('kill to first player resumed, ms (median)', med('firstResumedMs')),
      ratio('kill to the median player resumed, ms (median)', med('medianResumedMs')),
      ratio('--host-ttl-ms (a dead host\'s rooms can be claimed only after it)', ttlMs),
      ratio('players resumed / players (every round)', Math.min(...runs.map((r) => r.resumed / r.players))),
      ratio('players back with a lower score than shown (all rounds)', runs.reduce((n, r) => n + r.lowerScores, 0), { op: '<=', value: 0 }),
      ratio('load average (1 min) at the kill, median', med('load1AtKill')),
    ],
    rows: runs.map((r) => ({ ...r })),
    notes: [
      `Each round: a fresh redis-server (appendfsync always) and two fresh hosts, 127.0.0.2 and 127.0.0.3, one worker each, --host-ttl-ms ${ttlMs}; ` +
      `${players} arena players (shared client library, even TCP, odd WebSocket) join the first host by quick-join (rooms of 16), steer to coins for ` +
      `${values['play-seconds']} s, then the first host's process group is SIGKILLed and every client resumes with its token at the second ` +
      '(backoff 100..500 ms). Resumed: its welcome from the second host; its score: its own in the first state after that welcome.',
      'What the time is made of: the dead host\'s heartbeat key must expire (up to --host-ttl-ms after its last renewal, renewed every ttl/3), ' +
      'then each room is claimed and adopted by the first of its players to resume, the others of the room waiting for that adoption. Until the ' +
      'heartbeat expires a resume is answered REDIRECT (to the dead host; the client here retries the second host with back-off 100..500 ms).',
      'Everything (Redis, both hosts, 200 clients) shares this machine\'s 2 cores with other work: the load average at each kill is in the rows.',
    ],
  };
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

runToExit(main);
