// Runs client-sim against a fresh Shoal at rising player counts, and says where it stops holding:
// >= 99.5% of state messages delivered and ping RTT p99 < 50 ms. Shared by `players` and `scaling`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimSummary } from '../client-sim/summary.js';
import { startProcess } from './processes.js';
import type { ScenarioContext } from './scenario.js';
import { startShoal } from './servers.js';

const SIM_MAIN = path.join(fileURLToPath(new URL('..', import.meta.url)), 'client-sim', 'main.js');

export interface LadderStep {
  workers: number;
  players: number;
  holds: boolean;
  delivered: number;
  rttP50: number;
  rttP99: number;
  rttMax: number;
  stateGapP99: number;
  connectP99: number;
  joined: number;
  errors: string;
}

export function holds(s: SimSummary): boolean {
  return s.states.ratio >= 0.995 && s.rttMs.p99 < 50 && s.connectMs.failed <= s.options.players * 0.005;
}

/** Runs the sim once against a server on `port`; resolves with its summary. */
export async function runSimOnce(port: number, players: number, seconds: number, extra: string[] = []): Promise<SimSummary> {
  const proc = startProcess('client-sim', process.execPath, [
    SIM_MAIN, '--players', String(players), '--transport', 'mix', '--room-size', '16', '--seconds', String(seconds),
    '--input-hz', '10', '--port', String(port), '--json', ...extra,
  ]);
  let out = '';
  proc.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => proc.signal('SIGKILL'), (seconds + players / 500 + 60) * 1000);
  const code = await proc.exited;
  clearTimeout(timer);
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as SimSummary;
  } catch {
    throw new Error(`client-sim exited ${code} without a JSON summary: ${out.slice(-500)}`);
  }
}

/** Steps through `counts` with a fresh server each; past `mustRun` it stops at the first failure. */
export async function ladder(
  ctx: ScenarioContext, workers: number, counts: number[], mustRun: number, seconds: number,
): Promise<LadderStep[]> {
  const steps: LadderStep[] = [];
  for (const n of counts) {
    if (n > mustRun && steps.length && !steps[steps.length - 1]!.holds) break;
    const server = await startShoal({ workers });
    let s: SimSummary;
    try {
      s = await runSimOnce(server.port, n, seconds);
    } finally {
      await server.stop();
    }
    const step: LadderStep = {
      workers, players: n, holds: holds(s), delivered: Math.round(s.states.ratio * 100000) / 1000,
      rttP50: s.rttMs.p50, rttP99: s.rttMs.p99, rttMax: s.rttMs.max, stateGapP99: s.stateGapMs.p99,
      connectP99: s.connectMs.p99, joined: s.peakJoined,
      errors: Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', '),
    };
    ctx.log(`  ${workers} worker(s), ${n} players: delivered ${step.delivered}%, rtt p50 ${step.rttP50} p99 ${step.rttP99} ms, ` +
      `joined ${step.joined}, ${step.holds ? 'holds' : 'DOES NOT HOLD'}${step.errors ? `, errors: ${step.errors}` : ''}`);
    steps.push(step);
  }
  return steps;
}

/** The largest count that held, or 0. */
export function largestHolding(steps: LadderStep[]): number {
  return steps.filter((s) => s.holds).reduce((m, s) => Math.max(m, s.players), 0);
}
