// `soak`: a long run at moderate load looking for leaks. client-sim players on a 2-worker Shoal
// for --minutes (30 by default, 3 with --quick): a steady population of which a share leaves and
// rejoins or drops and resumes, plus rounds of short-lived players joining, leaving and dropping
// for the whole run; every few minutes worker 1 is replaced with the console's `restart`, while
// worker 0 lives the whole run (a leak in worker code shows there, not cut short by restarts).
// The RSS of every process is sampled throughout, and the slope of each long-lived one after a
// warm-up (least squares, KiB a minute) is held against a stated leak bound: above it, the run's
// verdict is a failure.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimSummary } from '../../client-sim/summary.js';
import { runSimOnce } from '../players-ladder.js';
import { ratio, type Ratio } from '../result.js';
import { sleep, type ScenarioBody } from '../scenario.js';
import { startShoal } from '../servers.js';
import { growth, sampleShoal, type MemSample } from './soak-memory.js';

const CLI = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'server', 'console', 'cli.js');

/**
 * The leak bound, per process role: more RSS growth than this a minute after the warm-up fails the
 * run. 256 KiB a minute is 7.5 MiB over 30 minutes: well above the noise of a steady Node process
 * (heap and GC sawtooth sampled every 10 s), well below what a per-connection or per-restart leak
 * at this churn would add (thousands of joins and several restarts).
 */
export const LEAK_BOUND_KIB_PER_MIN = 256;

const STEADY_PLAYERS = 150;
const CHURN_PLAYERS = 50;
const CHURN_ROUND_S = 45;

interface RestartRow {
  atMin: number;
  worker: number;
  ok: boolean;
  players: number;
  back: number;
  ms: number;
  error?: string;
}

function restartWorker(socket: string, slot: number): Promise<Omit<RestartRow, 'atMin'>> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'restart', String(slot), '--json', '--console', socket], { timeout: 90_000 }, (err, stdout) => {
      try {
        // The console's `restart --json` reply: one row per worker restarted, or an error object.
        const r = JSON.parse(stdout) as { players: number; back: number; ms: number }[] | { error?: { code?: string } };
        const one = Array.isArray(r) ? r[0] : null;
        // Completed is what counts: players that left on purpose meanwhile (churn) are not back.
        if (one) return resolve({ worker: slot, ok: true, players: one.players, back: one.back, ms: one.ms });
        resolve({ worker: slot, ok: false, players: 0, back: 0, ms: 0, error: (Array.isArray(r) ? undefined : r.error?.code) ?? 'no report' });
      } catch {
        resolve({ worker: slot, ok: false, players: 0, back: 0, ms: 0, error: err?.message ?? 'unreadable answer' });
      }
    });
  });
}

export const soakScenario: ScenarioBody = async (ctx) => {
  const minutes = ctx.minutes ?? (ctx.quick ? 3 : 30);
  const runS = minutes * 60;
  // A third of the run: the first 30-minute run (loadtest/results/2026-12-01-soak.md) showed the
  // primary and the coordinator reaching their working size only after 15-18 minutes at this load.
  const warmupS = runS / 3;
  const restartEveryS = minutes >= 15 ? 240 : Math.max(30, runS / 3);
  const sampleEveryS = minutes >= 10 ? 10 : 5;
  const processWarmupS = Math.min(120, restartEveryS / 2);
  const server = await startShoal({ workers: 2 });
  const socket = path.join(server.data!, 'console.sock');
  const t0 = Date.now();
  const elapsedS = () => (Date.now() - t0) / 1000;
  const samples: MemSample[] = [];
  const sampler = setInterval(() => samples.push(...sampleShoal(server.proc.pid, elapsedS())), sampleEveryS * 1000);
  samples.push(...sampleShoal(server.proc.pid, 0));
  const restarts: RestartRow[] = [];
  const churn: SimSummary[] = [];
  let stopping = false;
  try {
    ctx.log(`  ${minutes} min: ${STEADY_PLAYERS} steady players + rounds of ${CHURN_PLAYERS}; a worker restart every ${restartEveryS} s; RSS every ${sampleEveryS} s`);
    // The steady population; a quarter leave and rejoin, a quarter drop and resume, mid-run.
    const steady = runSimOnce(server.port, STEADY_PLAYERS, runS - 15, ['--leave-fraction', '0.25', '--drop-fraction', '0.25', '--procs', '1']);
    const churner = (async () => {
      while (!stopping && elapsedS() + CHURN_ROUND_S + 20 < runS) {
        const s = await runSimOnce(server.port, CHURN_PLAYERS, CHURN_ROUND_S, ['--leave-fraction', '0.3', '--drop-fraction', '0.3', '--procs', '1']).catch(() => null);
        if (s) churn.push(s);
      }
    })();
    const restarter = (async () => {
      const slot = 1;
      for (;;) {
        const next = restarts.length + 1;
        const wait = next * restartEveryS - elapsedS();
        if (stopping || next * restartEveryS > runS - 30) return;
        for (let waited = 0; waited < wait * 1000 && !stopping; waited += 1000) await sleep(Math.min(1000, wait * 1000 - waited));
        if (stopping) return;
        const atMin = Math.round(elapsedS() / 6) / 10;
        const r = await restartWorker(socket, slot);
        restarts.push({ atMin, ...r });
        ctx.log(`  ${atMin} min: restart worker ${slot}: ${r.ok ? `${r.back}/${r.players} players back in ${r.ms} ms` : `FAILED ${r.error}`}`);
      }
    })();
    const progress = setInterval(() => {
      const last = samples.slice(-4).map((s) => `${s.role} ${(s.rssKiB / 1024).toFixed(0)}`).join(', ');
      ctx.log(`  ${(elapsedS() / 60).toFixed(1)} min: RSS MiB ${last}`);
    }, 60_000);
    let s: SimSummary;
    try {
      s = await steady;
    } finally {
      stopping = true;
      clearInterval(progress);
      await Promise.all([churner, restarter]);
    }
    clearInterval(sampler);
    samples.push(...sampleShoal(server.proc.pid, elapsedS()));

    const roles = [...new Set(samples.map((x) => x.role))].sort();
    const grown = roles.map((r) => growth(samples, r, warmupS, processWarmupS));
    // Judged: the processes that live the whole run. The restarted worker's lifetimes are minutes
    // long, mostly its own warm-up: its slope is shown, not held against the bound.
    const judged = (role: string) => role !== 'worker-1';
    const leaks = grown.filter((g) => judged(g.role) && (g.slopeKiBPerMin === null || g.slopeKiBPerMin > LEAK_BOUND_KIB_PER_MIN));
    const restartsOk = restarts.filter((r) => r.ok).length;
    const sum = (f: (x: SimSummary) => number) => f(s) + churn.reduce((a, c) => a + f(c), 0);
    const ratios: Ratio[] = [
      ...grown.map((g) => judged(g.role)
        ? ratio(`${g.role} RSS slope after warm-up, KiB/min`, g.slopeKiBPerMin, { op: '<=', value: LEAK_BOUND_KIB_PER_MIN })
        : ratio(`${g.role} (restarted) RSS slope within each process lifetime, KiB/min`, g.slopeKiBPerMin)),
      ratio('worker restarts completed ÷ restarts', restarts.length ? restartsOk / restarts.length : null, { op: '>=', value: 1 }),
      ratio('players back within 10 s of a restart ÷ players on the worker', restarts.length ? restarts.reduce((a, r) => a + r.back, 0) / Math.max(1, restarts.reduce((a, r) => a + r.players, 0)) : null),
      ratio('states delivered to the steady players, %', Math.round(s.states.ratio * 100000) / 1000),
      ratio('joins over the run (steady + churn rounds)', sum((x) => x.connectMs.ok)),
      ratio('leaves and rejoins', sum((x) => x.churn.rejoins)),
      ratio('drops and restarts resumed', sum((x) => x.resumeMs.ok)),
      ratio('resumes failed', sum((x) => x.resumeMs.failed)),
    ];
    const verdict = leaks.length === 0 && restartsOk === restarts.length ? 'PASS' : 'FAIL';
    ctx.log(`  verdict ${verdict}: ${grown.map((g) => `${g.role} ${g.slopeKiBPerMin} KiB/min`).join(', ')} (bound ${LEAK_BOUND_KIB_PER_MIN})`);
    const errors = new Map<string, number>();
    for (const x of [s, ...churn]) for (const [k, v] of Object.entries(x.errors)) errors.set(k, (errors.get(k) ?? 0) + v);
    return {
      ratios,
      rows: grown.map((g) => ({
        role: g.role, processes: g.processes, samples: g.samples, firstMiB: g.firstMiB, lastMiB: g.lastMiB, peakMiB: g.peakMiB,
        slopeKiBPerMin: g.slopeKiBPerMin, boundKiBPerMin: judged(g.role) ? LEAK_BOUND_KIB_PER_MIN : null,
        withinBound: judged(g.role) ? g.slopeKiBPerMin !== null && g.slopeKiBPerMin <= LEAK_BOUND_KIB_PER_MIN : null,
      })),
      chart: {
        title: `RSS of each Shoal process over a ${minutes}-minute soak`,
        xLabel: 'minutes',
        yLabel: 'RSS, MiB',
        series: roles.map((r) => ({
          name: r,
          points: samples.filter((x) => x.role === r).map((x): [number, number] => [Math.round(x.t / 6) / 10, Math.round((x.rssKiB / 1024) * 10) / 10]),
        })),
      },
      notes: [
        `Verdict: **${verdict}** (leak bound ${LEAK_BOUND_KIB_PER_MIN} KiB/min for the primary, the coordinator and worker 0, which live the whole run; every restart of worker 1 must complete; a player that leaves on purpose during one is counted as not back).`,
        `${STEADY_PLAYERS} steady client-sim players (mixed TCP and WebSocket, rooms of 16; a quarter leave and rejoin, a quarter drop and resume) for the whole run, plus ${churn.length} rounds of ${CHURN_PLAYERS} players for ${CHURN_ROUND_S} s each (30% leave and rejoin, 30% drop and resume, all leave at the end).`,
        `Slopes: least squares over RSS samples every ${sampleEveryS} s after a ${warmupS / 60}-minute warm-up; a worker replaced mid-run is fitted within each process lifetime (one intercept per pid) after its own ${processWarmupS}-s warm-up.`,
        `Worker restarts (console \`restart N\`): ${restarts.map((r) => `${r.atMin} min worker ${r.worker} ${r.ok ? `${r.back}/${r.players} back in ${r.ms} ms` : `FAILED (${r.error})`}`).join('; ') || 'none'}.`,
        `Client errors over the run: ${[...errors].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`,
      ],
    };
  } finally {
    stopping = true;
    clearInterval(sampler);
    await server.stop();
  }
};
