// `deploy`: the console's `deploy` (a pre-flight process of the build on disk reads every room's
// snapshot, then each worker is replaced) beside `restart all` (the same replacement without the
// pre-flight), each run mid-way through a client-sim run on a fresh 2-worker Shoal, alternating
// over rounds so both see about the same background load. The figures: what the pre-flight adds
// to the wall time, how fast the players came back, and that every one of them did.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { runSimOnce } from '../players-ladder.js';
import { median, pairedRatio, ratio } from '../result.js';
import { sleep, type ScenarioBody } from '../scenario.js';
import { SHOAL_MAIN, startShoal } from '../servers.js';

const CLI = path.join(path.dirname(SHOAL_MAIN), 'console', 'cli.js');

interface Round {
  kind: 'deploy' | 'restart all';
  wallMs: number;
  replaced: number;
  resumed: number;
  failed: number;
  resumeP50: number;
  resumeMax: number;
}

function consoleCommand(socket: string, words: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, '--console', socket, '--json', ...words], { timeout: 300_000 }, (err, stdout) => {
      if (err) reject(new Error(`console ${words.join(' ')} failed: ${stdout}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function round(kind: Round['kind'], players: number, seconds: number, log: (l: string) => void): Promise<Round> {
  const server = await startShoal({ workers: 2 });
  try {
    const sim = runSimOnce(server.port, players, seconds, ['--leave-fraction', '0', '--drop-fraction', '0']);
    // Past the ramp and warm-up, a third of the way into the measured window.
    await sleep((players / 1000 + 1 + seconds / 3) * 1000);
    const wallMs = await consoleCommand(path.join(server.data!, 'console.sock'), kind.split(' '));
    log(`  ${kind}: ${Math.round(wallMs)} ms with ${players} players`);
    const s = await sim;
    return {
      kind, wallMs, replaced: s.counters.closedUnexpectedly, resumed: s.counters.resumesOk, failed: s.counters.resumesFailed,
      resumeP50: s.resumeMs.p50, resumeMax: s.resumeMs.max,
    };
  } finally {
    await server.stop();
  }
}

export const deployScenario: ScenarioBody = async (ctx) => {
  const players = ctx.quick ? 100 : 200;
  const seconds = ctx.quick ? 10 : 15;
  const rounds = ctx.quick ? 1 : 3;
  const deploys: Round[] = [];
  const restarts: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    restarts.push(await round('restart all', players, seconds, (l) => ctx.log(l)));
    deploys.push(await round('deploy', players, seconds, (l) => ctx.log(l)));
  }
  const sum = (rs: Round[], k: 'replaced' | 'resumed' | 'failed') => rs.reduce((n, r) => n + r[k], 0);
  return {
    ratios: [
      ratio('deploy ÷ restart all, wall time (median of paired rounds)', pairedRatio(deploys.map((r) => r.wallMs), restarts.map((r) => r.wallMs))),
      ratio('deploy wall time, ms (median)', median(deploys.map((r) => r.wallMs))),
      ratio('restart all wall time, ms (median)', median(restarts.map((r) => r.wallMs))),
      ratio('players resumed ÷ players replaced, deploy', sum(deploys, 'replaced') ? sum(deploys, 'resumed') / sum(deploys, 'replaced') : null, { op: '>=', value: 1 }),
      ratio('resumes failed, deploy', sum(deploys, 'failed'), { op: '<=', value: 0 }),
      ratio('slowest resume during deploy, ms (median of rounds)', median(deploys.map((r) => r.resumeMax))),
      ratio('slowest resume during restart all, ms (median of rounds)', median(restarts.map((r) => r.resumeMax))),
      ratio('median resume during deploy, ms (median of rounds)', median(deploys.map((r) => r.resumeP50))),
    ],
    rows: [...restarts, ...deploys].map((r) => ({ ...r, wallMs: Math.round(r.wallMs), players, seconds })),
    notes: [
      `${players} client-sim players (arena, mixed TCP and WebSocket, rooms of 16, no voluntary leaves or drops) on a fresh 2-worker Shoal per round, ${seconds} s; the console command runs a third of the way in; ${rounds} round(s), restart all then deploy in each.`,
      'The code on disk is the running code: deploy here costs its pre-flight (a process of the build loading the games and reading every snapshot) plus the same replacement as restart all. A changed game (migrate) and its points: test/console/deploy.test.ts.',
    ],
  };
};
