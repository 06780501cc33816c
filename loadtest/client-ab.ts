// Two builds of the lean load CLIENT side by side on the same Shoal build: rounds alternate the old
// client and the new (the order flips each round), each run a fresh server and a fresh client
// process (lean-once.ts loading that build's lean/run.js), so both see about the same background
// load. Reports client cores per 1000 players beside the server's, the client's CPU per state it
// received (fair also when a starved run delivers less), and the medians of per-round new/old ratios.
//   node dist/loadtest/client-ab.js --old /work/wt/base --players 1000 --rounds 3
//   node dist/loadtest/client-ab.js --old /work/wt/base --against emitter   (the state emitter instead of Shoal)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { runToExit, startProcess, stopAllOnExit } from './processes.js';
import { writeResult } from './report/write.js';
import { median, pairedRatio, ratio, type ScenarioResult } from './result.js';
import { SHOAL_MAIN, startShoal } from './servers.js';
import { startStateEmitter } from './start-state-emitter.js';
import type { LeanResult } from './lean/run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const LEAN_ONCE = path.join(HERE, 'lean-once.js');

type Side = 'old' | 'new';
interface Run {
  round: number;
  side: Side;
  load1: number;
  r: LeanResult;
  clientCoresPer1000: number | null;
  /** Client CPU microseconds per state it received. */
  clientUsPerState: number | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      old: { type: 'string' },
      new: { type: 'string', default: REPO },
      server: { type: 'string', default: SHOAL_MAIN },
      against: { type: 'string', default: 'shoal' },
      rounds: { type: 'string', default: '3' },
      players: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      label: { type: 'string', default: 'client-ab' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  if (!values.old) throw new Error('--old must name the other checkout (its dist/ built)');
  if (values.against !== 'shoal' && values.against !== 'emitter') throw new Error('--against must be shoal or emitter');
  const emitter = values.against === 'emitter';
  const clients: Record<Side, string> = {
    old: path.join(path.resolve(values.old), 'dist', 'loadtest', 'lean', 'run.js'),
    new: path.join(path.resolve(values.new), 'dist', 'loadtest', 'lean', 'run.js'),
  };
  for (const f of [...Object.values(clients), values.server]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: build that checkout first`);
  const rounds = Number(values.rounds);
  const players = Number(values.players);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  if (!Number.isInteger(players) || players < 1) throw new Error('--players must be a positive integer');
  stopAllOnExit();
  const m = machine();
  console.log(`client-ab: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'client-ab-'));
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const order: Side[] = round % 2 ? ['old', 'new'] : ['new', 'old'];
      for (const side of order) {
        const server = emitter ? await startStateEmitter(2) : await startShoal({ workers: Number(values.workers), main: values.server });
        const load1 = os.loadavg()[0]!;
        const json = path.join(tmp, `${side}-${round}.json`);
        try {
          const client = startProcess(`lean client (${side})`, process.execPath, [
            LEAN_ONCE, '--client', clients[side], '--port', String(server.port), '--server-pid', String(server.proc.pid),
            '--players', String(players), '--seconds', values.seconds, '--warmup', values.warmup, '--json', json,
          ], { stdio: ['ignore', 'inherit', 'inherit'] });
          const code = await client.exited;
          if (code !== 0) throw new Error(`the ${side} client exited with ${code}`);
        } finally {
          await server.stop();
        }
        const r = JSON.parse(fs.readFileSync(json, 'utf8')) as LeanResult;
        const run: Run = {
          round, side, load1, r,
          clientCoresPer1000: r.joined ? round3((r.clientCores / r.joined) * 1000) : null,
          clientUsPerState: r.statesReceived ? Math.round(((r.clientCores * r.seconds * 1e6) / r.statesReceived) * 100) / 100 : null,
        };
        runs.push(run);
        console.log(
          `round ${round} ${side} client: ${players} players (${r.joined} joined): delivered ${r.delivered}, RTT p50 ${r.rttP50Ms} ms ` +
          `p99 ${r.rttP99Ms} ms, client ${r.clientCores} cores (${run.clientCoresPer1000} per 1000, ${run.clientUsPerState} µs a state), ` +
          `server ${r.serverCores} cores (${r.serverCoresPer1000} per 1000), load ${load1.toFixed(2)}`,
        );
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const of = (side: Side, pick: (x: Run) => number | null) =>
    runs.filter((x) => x.side === side).sort((a, b) => a.round - b.round).map((x) => pick(x) ?? NaN);
  const per1000 = (x: Run) => x.clientCoresPer1000;
  const us = (x: Run) => x.clientUsPerState;
  const srv = (x: Run) => x.r.serverCoresPer1000;
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/client-ab.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('old client: client cores per 1000 players (median)', median(of('old', per1000))),
      ratio('new client: client cores per 1000 players (median)', median(of('new', per1000))),
      ratio('new/old client cores (median of per-round ratios)', pairedRatio(of('new', (x) => x.r.clientCores), of('old', (x) => x.r.clientCores))),
      ratio('old client: client CPU µs per state received (median)', median(of('old', us))),
      ratio('new client: client CPU µs per state received (median)', median(of('new', us))),
      ratio('new/old client CPU per state received (median of per-round ratios)', pairedRatio(of('new', us), of('old', us))),
      ratio('server cores per 1000 players under the old client (median)', median(of('old', srv))),
      ratio('server cores per 1000 players under the new client (median)', median(of('new', srv))),
      ratio('old client: delivered (median)', median(of('old', (x) => x.r.delivered))),
      ratio('new client: delivered (median)', median(of('new', (x) => x.r.delivered))),
      ratio('old client: RTT p99 ms (median)', median(of('old', (x) => x.r.rttP99Ms))),
      ratio('new client: RTT p99 ms (median)', median(of('new', (x) => x.r.rttP99Ms))),
      ratio('load average (1 min) over the runs, median', median(runs.map((x) => x.load1))),
    ],
    rows: runs.map((x) => ({
      round: x.round, client: x.side, players: x.r.players, joined: x.r.joined, delivered: x.r.delivered,
      rttP50Ms: x.r.rttP50Ms, rttP99Ms: x.r.rttP99Ms, clientCores: x.r.clientCores, clientCoresPer1000: x.clientCoresPer1000,
      clientUsPerState: x.clientUsPerState, serverCores: x.r.serverCores, serverCoresPer1000: x.r.serverCoresPer1000,
      load1: Math.round(x.load1 * 100) / 100, errors: JSON.stringify(x.r.errors),
    })),
    chart: {
      title: `Client cores at ${players} players, old vs new client, by round`,
      xLabel: 'round', yLabel: 'client cores',
      series: (['old', 'new'] as Side[]).map((side) => ({
        name: `${side} client`, points: runs.filter((x) => x.side === side).map((x) => [x.round, x.r.clientCores] as [number, number]),
      })),
    },
    notes: [
      `old client: ${clients.old}; new client: ${clients.new}; server (both): ` +
      (emitter ? 'the state emitter (loadtest/baselines/state-emitter.ts, a cluster of 2), a fresh one per run.' : `${values.server}, a fresh ${values.workers}-worker server per run.`) +
      ` Each run: ${players} players (even TCP, odd WebSocket), input 10 Hz, ping 1 Hz, ${values.warmup} s warm-up ` +
      `then ${values.seconds} s measured; each client in a process of its own (dist/loadtest/lean-once.js).`,
      'Rounds alternate which client goes first. Client cores: the client process\'s user+system CPU over the window ' +
      '(process.cpuUsage). Server cores: user+system CPU of the whole server process tree from /proc over the same window. ' +
      'µs a state: client CPU over the window divided by the states it received in it. load1: the 1-minute load average when the run began.',
    ],
  };
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

runToExit(main);
