// The lean players ladder: arena players at 20 Hz from ONE client process that costs little per
// player, against a fresh Shoal per step; server cores (the whole process tree, from /proc) are
// reported beside the client's own, so a reader sees which side ran out.
//   node dist/loadtest/lean-players.js --players 1000,2000,3000 --seconds 15 [--transport mix]
//   node dist/loadtest/lean-players.js --port 8000 --server-pid PID --players 500   (a running server)
//   node dist/loadtest/lean-players.js --peer colyseus --players 1000,2000,3000 --seconds 10 [--rounds 2]
//     (Shoal and the Colyseus peer side by side, in turn, medians over the rounds: lean/vs-peer.ts)
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { writeResult } from './report/write.js';
import { ratio, type ScenarioResult } from './result.js';
import { startShoal } from './servers.js';
import { ARENA_RULES } from './peers/colyseus/rules.js';
import { runLean, type LeanResult } from './lean/run.js';
import type { LeanTransport } from './lean/lean-socket.js';
import { colyseusVersions, runVsPeer, sideBySideRows, vsRatios } from './lean/vs-peer.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      players: { type: 'string', default: '1000,2000,3000' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      transport: { type: 'string' },
      peer: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      'input-hz': { type: 'string', default: '10' },
      'ping-hz': { type: 'string', default: '1' },
      ramp: { type: 'string', default: '1000' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'server-pid': { type: 'string' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      label: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  if (values.peer !== undefined && values.peer !== 'colyseus') throw new Error('--peer must be colyseus');
  // Side by side, Shoal speaks what the peer speaks (WebSocket) unless told otherwise.
  const transport = (values.transport ?? (values.peer ? 'ws' : 'mix')) as LeanTransport | 'mix';
  if (!['tcp', 'ws', 'mix'].includes(transport)) throw new Error('--transport must be tcp, ws or mix');
  const steps = values.players.split(',').map((s) => Number(s));
  if (steps.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--players must be a list of positive integers');
  stopAllOnExit();
  const m = machine();
  console.log(`lean-players: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  if (values.peer) {
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
    if (values.port !== undefined) throw new Error('--peer starts its own servers: no --port');
    const versions = colyseusVersions();
    const { runs, failures } = await runVsPeer({
      steps, rounds, seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), inputHz: Number(values['input-hz']),
      pingHz: Number(values['ping-hz']), rampPerSecond: Number(values.ramp), workers: Number(values.workers),
      shoalTransport: transport, log: (line) => console.log(line),
    });
    const rows = sideBySideRows(runs, steps);
    const medians = rows.filter((r) => r.round === 'median');
    const series = (name: string, col: string) => ({ name, points: medians.map((r) => [Number(r.players), Number(r[col] ?? 0)] as [number, number]) });
    const loads = runs.map((r) => r.loadAverage1m);
    const result: ScenarioResult = {
      scenario: `players-vs-colyseus${values.label ? `-${values.label}` : ''}`,
      quick: false,
      startedAt,
      durationSeconds: Math.round((Date.now() - t0) / 1000),
      machine: m,
      command: `node dist/loadtest/lean-players.js ${process.argv.slice(2).join(' ')}`.trim(),
      ratios: vsRatios(runs, steps),
      rows,
      chart: {
        title: 'Shoal vs Colyseus: server and client cores (medians)',
        xLabel: 'players', yLabel: 'cores',
        series: [
          series('Shoal server', 'Shoal server cores'),
          series('Colyseus server', 'Colyseus server cores'),
          series('Shoal client', 'Shoal client cores'),
          series('Colyseus client', 'Colyseus client cores'),
        ],
      },
      notes: [
        `Shoal (${values.workers} workers, transport ${transport}) and the Colyseus peer (loadtest/peers/colyseus: ${versions}, ` +
        'one process, WebSocket) run in turn for each player count, a fresh server per run, the order swapped every round; ' +
        `${rounds} rounds, medians (rows "median"; one row per round below it).`,
        `Same arena rules: ${ARENA_RULES.roomCapacity} players a room, ${ARENA_RULES.worldWidth}x${ARENA_RULES.worldHeight}, ${ARENA_RULES.hz} Hz, ` +
        `${ARENA_RULES.coins} coins, pickup ${ARENA_RULES.pickupRadius}, ${ARENA_RULES.playerSpeed} u/s; input ${values['input-hz']} Hz, ` +
        `ping ${values['ping-hz']} Hz (a room message answered with a pong). Colyseus sends its patch at the end of each tick.`,
        `${values.seconds} s measured after ${values.warmup} s warm-up. Delivered: states received over joined x hz x seconds ` +
        '(Colyseus: ROOM_STATE/ROOM_STATE_PATCH counted by their code byte; Shoal: state messages by their first bytes).',
        'Server cores: user+system CPU of the whole server process tree from /proc over the window. Client cores: the one load-client process.',
        `Load average (1 min) at the start of the runs: ${Math.min(...loads)}-${Math.max(...loads)} (column "load avg": the median of a row's runs).`,
        ...failures.map((f) => `Run not made: ${f}.`),
      ],
    };
    if (!values['no-write']) {
      const w = writeResult(values.out, result);
      console.log(`wrote ${w.json}`);
    }
    return;
  }
  const rows: LeanResult[] = [];
  for (const n of steps) {
    const external = values.port !== undefined;
    const server = external ? null : await startShoal({ workers: Number(values.workers) });
    try {
      const r = await runLean({
        host: values.host, port: external ? Number(values.port) : server!.port, players: n, transport,
        seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), inputHz: Number(values['input-hz']),
        pingHz: Number(values['ping-hz']), rampPerSecond: Number(values.ramp),
        serverPid: external ? (values['server-pid'] ? Number(values['server-pid']) : undefined) : server!.proc.pid,
      });
      rows.push(r);
      console.log(
        `${n} players (${r.joined} joined): delivered ${r.delivered}, RTT p50 ${r.rttP50Ms} ms p99 ${r.rttP99Ms} ms, ` +
        `server ${r.serverCores} cores (${r.serverCoresPer1000} per 1000), client ${r.clientCores} cores` +
        (Object.keys(r.errors).length ? `, errors ${JSON.stringify(r.errors)}` : ''),
      );
    } finally {
      await server?.stop();
    }
  }
  const held = rows.filter((r) => r.joined === r.players && r.delivered >= 0.995 && (r.rttP99Ms ?? Infinity) < 50);
  const best = held.at(-1);
  const result: ScenarioResult = {
    scenario: `lean-players${values.label ? `-${values.label}` : ''}`,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/lean-players.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('most players held (>= 99.5% states delivered, RTT p99 < 50 ms)', best ? best.players : 0),
      ratio('server cores per 1000 players at that step', best?.serverCoresPer1000 ?? null, { op: '<=', value: 0.18 }),
    ],
    rows: rows.map((r) => ({
      players: r.players, joined: r.joined, delivered: r.delivered, rttP50Ms: r.rttP50Ms, rttP99Ms: r.rttP99Ms,
      serverCores: r.serverCores, serverCoresPer1000: r.serverCoresPer1000, clientCores: r.clientCores,
      clientCpuMsPerPlayerSecond: r.clientCpuMsPerPlayerSecond, closedDuringWindow: r.closedDuringWindow,
      errors: JSON.stringify(r.errors),
    })),
    chart: {
      title: 'Lean players ladder: server and client cores',
      xLabel: 'players', yLabel: 'cores',
      series: [
        { name: 'server cores', points: rows.map((r) => [r.players, r.serverCores ?? 0]) },
        { name: 'client cores', points: rows.map((r) => [r.players, r.clientCores]) },
      ],
    },
    notes: [
      `Transport ${transport} (mix: even players TCP, odd WebSocket); input ${values['input-hz']} Hz, ping ${values['ping-hz']} Hz; ` +
      `${values.seconds} s measured after ${values.warmup} s warm-up; a fresh server with ${values.workers} workers per step.`,
      'One client process: states counted by their first bytes, pongs timed without decoding, inputs written into byte templates.',
      'Server cores: user+system CPU of the whole server process tree from /proc over the window. Client cores: this process.',
      'Players steer in a random direction changed every ~3 s (they pick up coins they cross, not the nearest one).',
    ],
  };
  if (!values['no-write']) {
    const w = writeResult(values.out, result);
    console.log(`wrote ${w.json}`);
  }
}

runToExit(main);
