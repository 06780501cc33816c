// `failover`: client-sim players on a 2-worker Shoal; one worker is SIGKILLed mid-run. Its players'
// client library resumes them with their tokens; the figure is how many came back, how fast, and
// what the others saw meanwhile (states delivered, ping RTT).
import { execFileSync } from 'node:child_process';
import { runSimOnce } from '../players-ladder.js';
import { ratio } from '../result.js';
import { sleep, type ScenarioBody } from '../scenario.js';
import { startShoal } from '../servers.js';

function workerPids(primaryPid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primaryPid)]).toString();
  return out.split('\n').filter((l) => /--shoal-role=worker|worker\/main\.js/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

export const failoverScenario: ScenarioBody = async (ctx) => {
  const players = ctx.quick ? 100 : 500;
  const seconds = ctx.quick ? 8 : 20;
  const server = await startShoal({ workers: 2 });
  try {
    const sim = runSimOnce(server.port, players, seconds, ['--leave-fraction', '0', '--drop-fraction', '0']);
    // Past the ramp and warm-up, a third of the way into the measured window.
    await sleep((players / 1000 + 1 + seconds / 3) * 1000);
    const victim = workerPids(server.proc.child.pid!)[0]!;
    ctx.log(`  SIGKILL worker pid ${victim} with ${players} players on the server`);
    process.kill(victim, 'SIGKILL');
    const s = await sim;
    const lost = s.counters.closedUnexpectedly;
    const back = s.counters.resumesOk;
    return {
      ratios: [
        ratio('players resumed ÷ players whose worker was killed', lost > 0 ? back / lost : null, { op: '>=', value: 1 }),
        ratio('slowest resume, ms', s.resumeMs.max),
        ratio('median resume, ms', s.resumeMs.p50),
        ratio('states delivered over the run (all players), %', Math.round(s.states.ratio * 100000) / 1000),
        ratio('ping RTT p99 over the run, ms', s.rttMs.p99),
      ],
      rows: [{
        players, seconds, killedWorkerPlayers: lost, resumed: back, resumeFailed: s.counters.resumesFailed,
        resumeP50: s.resumeMs.p50, resumeMax: s.resumeMs.max, delivered: s.states.ratio, rttP99: s.rttMs.p99,
        errors: Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', '),
      }],
      notes: [
        `${players} client-sim players (mixed TCP and WebSocket, rooms of 16, no voluntary leaves or drops), ${seconds} s; one of the two workers SIGKILLed a third of the way in.`,
        'Scores are not counted here; test/faults/worker-kill.test.ts checks every point survives.',
      ],
    };
  } finally {
    await server.stop();
  }
};
