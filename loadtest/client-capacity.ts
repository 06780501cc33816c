// What the lean load client can drive when the server is not the limit: the client against the
// state emitter (baselines/state-emitter.ts: 20 Hz, one prebuilt state a tick, pongs; a cluster of
// 2 by default) at each player count, a fresh emitter per run. Reports delivered, RTT, the client's
// cores (and per 1000 players, and per state received) beside the emitter's.
//   node dist/loadtest/client-capacity.js --players 1000,2000,3000,4000 [--rounds 1] [--cluster 2]
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { writeResult } from './report/write.js';
import { median, ratio, type ScenarioResult } from './result.js';
import { startStateEmitter } from './start-state-emitter.js';
import { runLean, type LeanResult } from './lean/run.js';
import type { LeanTransport } from './lean/lean-socket.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

interface Run {
  round: number;
  load1: number;
  r: LeanResult;
}

/** A step held: every player joined, >= 99.5% of states delivered, RTT p99 under 50 ms. */
function held(r: LeanResult): boolean {
  return r.joined === r.players && r.delivered >= 0.995 && (r.rttP99Ms ?? Infinity) < 50;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      players: { type: 'string', default: '1000,2000,3000,4000' },
      rounds: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      cluster: { type: 'string', default: '2' },
      transport: { type: 'string', default: 'mix' },
      ramp: { type: 'string', default: '1000' },
      label: { type: 'string', default: 'client-capacity' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const steps = values.players.split(',').map((s) => Number(s));
  if (steps.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--players must be a list of positive integers');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const cluster = Number(values.cluster);
  if (!Number.isInteger(cluster) || cluster < 0) throw new Error('--cluster must be 0 (one process) or a worker count');
  const transport = values.transport as LeanTransport | 'mix';
  if (!['tcp', 'ws', 'mix'].includes(transport)) throw new Error('--transport must be tcp, ws or mix');
  stopAllOnExit();
  const m = machine();
  console.log(`client-capacity: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const n of steps) {
      const emitter = await startStateEmitter(cluster);
      const load1 = os.loadavg()[0]!;
      try {
        const r = await runLean({
          host: '127.0.0.1', port: emitter.port, players: n, transport, seconds: Number(values.seconds),
          warmupSeconds: Number(values.warmup), inputHz: 10, pingHz: 1, rampPerSecond: Number(values.ramp), serverPid: emitter.proc.pid,
        });
        runs.push({ round, load1, r });
        console.log(
          `round ${round}, ${n} players (${r.joined} joined): delivered ${r.delivered}, RTT p50 ${r.rttP50Ms} ms p99 ${r.rttP99Ms} ms, ` +
          `client ${r.clientCores} cores (${per1000(r.clientCores, r.joined)} per 1000), emitter ${r.serverCores} cores, load ${load1.toFixed(2)}` +
          (Object.keys(r.errors).length ? `, errors ${JSON.stringify(r.errors)}` : ''),
        );
      } finally {
        await emitter.stop();
      }
    }
  }
  const at = (n: number) => runs.filter((x) => x.r.players === n);
  const med = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? Math.round(median(v) * 1000) / 1000 : null;
  };
  const rows = steps.flatMap((n) => {
    const rs = at(n);
    const row = (label: string, xs: Run[]) => ({
      players: n, round: label,
      joined: med(xs.map((x) => x.r.joined)),
      delivered: med(xs.map((x) => x.r.delivered)),
      rttP50Ms: med(xs.map((x) => x.r.rttP50Ms)),
      rttP99Ms: med(xs.map((x) => x.r.rttP99Ms)),
      clientCores: med(xs.map((x) => x.r.clientCores)),
      clientCoresPer1000: med(xs.map((x) => per1000(x.r.clientCores, x.r.joined))),
      clientUsPerState: med(xs.map((x) => usPerState(x.r))),
      emitterCores: med(xs.map((x) => x.r.serverCores)),
      load1: med(xs.map((x) => x.load1)),
      errors: xs.map((x) => JSON.stringify(x.r.errors)).filter((e) => e !== '{}').join(' ') || null,
    });
    return rounds > 1 ? [row('median', rs), ...rs.map((x) => row(String(x.round), [x]))] : [row('1', rs)];
  });
  const medians = rows.filter((r) => r.round === (rounds > 1 ? 'median' : '1'));
  const heldSteps = steps.filter((n) => {
    const rs = at(n);
    return rs.length > 0 && rs.filter((x) => held(x.r)).length * 2 > rs.length;
  });
  const loads = runs.map((x) => x.load1);
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/client-capacity.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('most players held (joined, >= 99.5% states delivered, RTT p99 < 50 ms)', heldSteps.at(-1) ?? 0, { op: '>=', value: 3000 }),
      ...medians.map((r) => ratio(`client cores at ${r.players} players`, r.clientCores, r.players >= 3000 ? { op: '<=', value: 1 } : undefined)),
      ...medians.map((r) => ratio(`client cores per 1000 players at ${r.players}`, r.clientCoresPer1000)),
      ratio('load average (1 min) over the runs, median', median(loads)),
    ],
    rows,
    chart: {
      title: 'Lean client against the state emitter: client and emitter cores',
      xLabel: 'players', yLabel: 'cores',
      series: [
        { name: 'client cores', points: medians.map((r) => [r.players, r.clientCores ?? 0] as [number, number]) },
        { name: 'emitter cores', points: medians.map((r) => [r.players, r.emitterCores ?? 0] as [number, number]) },
      ],
    },
    notes: [
      `Server: the state emitter (loadtest/baselines/state-emitter.ts) ${cluster ? `as a node:cluster of ${cluster}` : 'in one process'}, ` +
      'a fresh one per run: a prebuilt welcome, one 16-player state a tick at 20 Hz (encoded and framed once per transport, ' +
      'the same bytes written to every connection), a pong for a ping, inputs dropped unread; TCP and WebSocket on one port.',
      `Client: the lean client (loadtest/lean/), one process, transport ${transport} (mix: even players TCP, odd WebSocket), ` +
      `input 10 Hz, ping 1 Hz (in the same write as that turn's input), ramp ${values.ramp} joins/s, ${values.warmup} s warm-up ` +
      `then ${values.seconds} s measured${rounds > 1 ? `; ${rounds} rounds, medians (rows "median", one row per round below)` : ''}.`,
      'Client cores: the client process\'s user+system CPU over the window (process.cpuUsage); µs a state: that CPU over the ' +
      'states received in the window. Emitter cores: user+system CPU of its whole process tree from /proc over the window.',
      `Load average (1 min) when each run began: ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)} ` +
      '(column load1). Client and emitter share the machine\'s cores with whatever else runs on it.',
    ],
  };
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

function per1000(cores: number, joined: number): number | null {
  return joined ? Math.round((cores / joined) * 1000 * 1000) / 1000 : null;
}

function usPerState(r: LeanResult): number | null {
  return r.statesReceived ? Math.round(((r.clientCores * r.seconds * 1e6) / r.statesReceived) * 100) / 100 : null;
}

runToExit(main);
