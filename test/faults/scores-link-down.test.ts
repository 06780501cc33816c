// A score a player has seen survives a worker crash even while the coordinator is down. The
// coordinator is killed and held down: its world directory is moved aside (a file in its place),
// so every restart the primary makes fails at start, with back-off. The workers' links are down
// and players keep scoring on their workers. Then one worker is SIGKILLed, and only then is the
// world directory put back: the coordinator starts, the primary has restarted the worker, the
// players resume, and every score a player was shown is still theirs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, coordinatorPid, workerPid, until, logLines, sleep, type TestServer } from '../helpers/server.js';
import { expectResumedWithNothingLost, scoringPlayers } from './scoring-players.js';

let server: TestServer;
let restoreWorld = () => {};
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--world-width', '100', '--world-height', '100', '--coins', '30'] });
});
afterAll(async () => {
  restoreWorld();
  await server?.stop();
});

it('keeps every score a player saw when its worker dies while the coordinator is down', async () => {
  const sp = await scoringPlayers(server);
  const { players, victims, shown, stop } = sp;
  await sleep(1000);

  // Coordinator down, with its restarts held off: they fail while its world is not there.
  const world = path.join(server.dataDir, 'world');
  const starts = () => logLines(server).filter((l) => l.role === 'coordinator' && l.msg === 'coordinator failed to start').length;
  process.kill(coordinatorPid(server), 'SIGKILL');
  fs.renameSync(world, `${world}.held`);
  fs.writeFileSync(world, '');
  restoreWorld = () => {
    if (!fs.existsSync(`${world}.held`)) return;
    fs.rmSync(world);
    fs.renameSync(`${world}.held`, world);
  };
  await until(() => starts() > 0, 10_000, 'a coordinator restart refused');
  const atCoordinatorDeath = new Map(victims.map((c) => [c.id, shown.get(c.id) ?? 0]));
  // Players on the doomed worker keep scoring while its link is down.
  await until(() => victims.some((c) => (shown.get(c.id) ?? 0) >= atCoordinatorDeath.get(c.id)! + 3), 20_000, 'points scored while the coordinator is down');
  await sleep(300);
  const killedPid = workerPid(server, 0);
  process.kill(killedPid, 'SIGKILL');
  await sleep(200); // no state can come from a dead worker: what is shown now is final
  const shownAtKill = new Map(victims.map((c) => [c.id, shown.get(c.id) ?? 0]));
  const allAtKill = new Map(players.map((c) => [c.id, shown.get(c.id) ?? 0]));
  const scoredWhileDown = victims.reduce((n, c) => n + shownAtKill.get(c.id)! - atCoordinatorDeath.get(c.id)!, 0);
  expect(scoredWhileDown).toBeGreaterThan(0);

  // Still down: no restart got through while the worker died.
  expect(logLines(server).filter((l) => l.msg === 'world loaded')).toHaveLength(1);
  const restoredAt = Date.now();
  restoreWorld();
  stop.stopped = true;
  await expectResumedWithNothingLost(server, sp, shownAtKill);
  // The journals are private, and each is cut down at its worker's hello to the new coordinator to
  // the scores not yet acknowledged: what is left came later, so no player has an entry there below
  // the score it had when the worker was killed. The replacement worker in slot 0 may still be
  // starting (its rooms went to worker 1 meanwhile), and it cuts its journal when the hello's answer
  // reaches it, a moment after the coordinator logs the hello.
  await server.waitForLog((l) => l.msg === 'worker joined' && l.slot === 0 && l.workerPid !== killedPid && (l.time as number) >= restoredAt, 60_000);
  const journals = fs.readdirSync(path.join(server.dataDir, 'journal')).filter((f) => f.endsWith('.jnl')).sort().map((f) => path.join(server.dataDir, 'journal', f));
  expect(journals.map((f) => path.basename(f))).toEqual(['scores-0.jnl', 'scores-1.jnl']);
  const staleNow = (): string[] => {
    const stale: string[] = [];
    for (const f of journals) {
      const entries = fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).flatMap((l) => JSON.parse(l) as Array<[string, number]>);
      for (const [id, score] of entries) if (score < (allAtKill.get(id) ?? 0)) stale.push(`${path.basename(f)}: ${id} ${score}`);
    }
    return stale;
  };
  await until(() => staleNow().length === 0, 10_000, 'journals cut down at the hello').catch(() => {});
  for (const f of journals) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  const stale = staleNow();
  if (stale.length) console.error('coordinator and journal logs at the failure:\n' + logLines(server).filter((l) => String(l.msg).includes('joined') || String(l.msg).includes('ournal') || (l.level as number) >= 40).map((l) => JSON.stringify(l)).join('\n'));
  expect(stale).toEqual([]);
  const journalled = logLines(server).filter((l) => l.msg === 'world loaded').at(-1)?.journalled;
  console.log(`[figure] worker SIGKILLed while the coordinator was down: ${scoredWhileDown} points shown in that window on it, 0 lost (journal held ${journalled} players' scores)`);
  for (const c of players) c.close();
}, 120_000);
