// Two Shoal builds side by side under the same lean load: rounds alternate old and new (the order
// flips each round), each run on a fresh server, so both see about the same background load on a
// shared machine. Reports each run, the medians, and the median of the per-round new/old ratios.
// With --profile DIR every server process runs under --cpu-prof and each run's profiles are
// summarised (top self-time functions per process) into DIR.
//   node dist/loadtest/lean-ab.js --old /path/to/old/checkout --rounds 3 --players 1000 --label hotpath-ab
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { summarizeProfile, type Profile } from './report/cpu-profile-summary.js';
import { writeResult } from './report/write.js';
import { median, pairedRatio, ratio, type ScenarioResult } from './result.js';
import { startShoal } from './servers.js';
import { runLean, type LeanResult } from './lean/run.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

type Side = 'old' | 'new';
interface Run extends LeanResult {
  round: number;
  side: Side;
  load1: number;
  /** Server CPU microseconds per state the client received: cost per unit of work done, which a starved run also measures fairly. */
  serverUsPerState: number | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      old: { type: 'string' },
      new: { type: 'string', default: REPO },
      rounds: { type: 'string', default: '3' },
      players: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '2' },
      profile: { type: 'string' },
      label: { type: 'string', default: 'lean-ab' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  if (!values.old) throw new Error('--old must name the other checkout (its dist/ built)');
  const mains: Record<Side, string> = {
    old: path.join(path.resolve(values.old), 'dist', 'server', 'main.js'),
    new: path.join(path.resolve(values.new), 'dist', 'server', 'main.js'),
  };
  for (const f of Object.values(mains)) if (!fs.existsSync(f)) throw new Error(`${f} is missing: build that checkout first`);
  const rounds = Number(values.rounds);
  const players = Number(values.players);
  stopAllOnExit();
  const m = machine();
  console.log(`lean-ab: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order: Side[] = round % 2 ? ['old', 'new'] : ['new', 'old'];
    for (const side of order) {
      const profDir = values.profile ? path.resolve(values.profile, `${side}-round${round}`) : null;
      if (profDir) fs.mkdirSync(profDir, { recursive: true });
      const server = await startShoal({
        workers: Number(values.workers), main: mains[side],
        nodeArgs: profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
      });
      const load1 = os.loadavg()[0]!;
      try {
        const r = await runLean({
          host: '127.0.0.1', port: server.port, players, transport: 'mix', seconds: Number(values.seconds),
          warmupSeconds: Number(values.warmup), inputHz: 10, pingHz: 1, rampPerSecond: 1000, serverPid: server.proc.pid,
        });
        const serverUsPerState = r.serverCores === null || r.statesReceived === 0
          ? null : Math.round((r.serverCores * r.seconds * 1e6) / r.statesReceived * 10) / 10;
        runs.push({ ...r, round, side, load1, serverUsPerState });
        console.log(
          `round ${round} ${side}: ${players} players (${r.joined} joined): delivered ${r.delivered}, RTT p50 ${r.rttP50Ms} ms ` +
          `p99 ${r.rttP99Ms} ms, server ${r.serverCores} cores (${serverUsPerState} µs a state), client ${r.clientCores} cores, load ${load1.toFixed(2)}`,
        );
      } finally {
        await server.stop();
      }
      if (profDir) summarizeDir(profDir);
    }
  }
  const of = (side: Side, k: 'serverCores' | 'clientCores' | 'delivered' | 'rttP99Ms' | 'rttP50Ms' | 'serverUsPerState') =>
    runs.filter((r) => r.side === side).sort((a, b) => a.round - b.round).map((r) => r[k] ?? NaN);
  const oldCores = of('old', 'serverCores');
  const newCores = of('new', 'serverCores');
  const per1000 = (v: number) => (v * 1000) / players;
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/lean-ab.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('old: server cores per 1000 players (median)', per1000(median(oldCores))),
      ratio('new: server cores per 1000 players (median)', per1000(median(newCores)), { op: '<=', value: 0.18 }),
      ratio('new/old server cores (median of per-round ratios)', pairedRatio(newCores, oldCores)),
      ratio('new/old server CPU per delivered state (median of per-round ratios)', pairedRatio(of('new', 'serverUsPerState'), of('old', 'serverUsPerState'))),
      ratio('old: client cores (median)', median(of('old', 'clientCores'))),
      ratio('new: client cores (median)', median(of('new', 'clientCores'))),
      ratio('old: delivered (median)', median(of('old', 'delivered'))),
      ratio('new: delivered (median)', median(of('new', 'delivered')), { op: '>=', value: 0.995 }),
      ratio('old: RTT p99 ms (median)', median(of('old', 'rttP99Ms'))),
      ratio('new: RTT p99 ms (median)', median(of('new', 'rttP99Ms')), { op: '<=', value: 50 }),
      ratio('load average (1 min) over the runs, median', median(runs.map((r) => r.load1))),
    ],
    rows: runs.map((r) => ({
      round: r.round, side: r.side, players: r.players, joined: r.joined, delivered: r.delivered,
      rttP50Ms: r.rttP50Ms, rttP99Ms: r.rttP99Ms, serverCores: r.serverCores, serverCoresPer1000: r.serverCoresPer1000,
      serverUsPerState: r.serverUsPerState, clientCores: r.clientCores, load1: Math.round(r.load1 * 100) / 100, errors: JSON.stringify(r.errors),
    })),
    chart: {
      title: `Server cores at ${players} players, old vs new, by round`,
      xLabel: 'round', yLabel: 'server cores',
      series: (['old', 'new'] as Side[]).map((side) => ({
        name: side, points: runs.filter((r) => r.side === side).map((r) => [r.round, r.serverCores ?? 0] as [number, number]),
      })),
    },
    notes: [
      `old: ${mains.old}; new: ${mains.new}. Each run: a fresh ${values.workers}-worker server, ${players} players ` +
      `(even TCP, odd WebSocket), input 10 Hz, ping 1 Hz, ${values.warmup} s warm-up then ${values.seconds} s measured.`,
      'Rounds alternate which side goes first. Server cores: user+system CPU of the whole server process tree ' +
      'from /proc over the window; client cores: the one lean client process. load1: the 1-minute load average when the run began.',
      ...(values.profile ? ['Servers ran under --cpu-prof (profiling costs CPU: compare sides, not absolute figures).'] : []),
    ],
  };
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

/** Writes summary.md beside a run's .cpuprofile files: top self-time functions per process. */
function summarizeDir(dir: string): void {
  const parts: string[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).sort()) {
    const text = summarizeProfile(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Profile, 20);
    parts.push(`## ${f}\n\n\`\`\`\n${text}\n\`\`\`\n`);
  }
  fs.writeFileSync(path.join(dir, 'summary.md'), parts.join('\n'));
}

runToExit(main);
