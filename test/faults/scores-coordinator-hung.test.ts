// A score a player has seen survives a worker crash while the coordinator hangs. The coordinator
// is frozen (SIGSTOP): the workers' links stay up, so scores go to its socket but nobody reads
// them. One worker is SIGKILLed, then the frozen coordinator is killed, as the hang detector
// would: the bytes the worker wrote die with it. The primary restarts both; the players resume,
// and every score a player was shown is still theirs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, coordinatorPid, workerPid, until, sleep, type TestServer } from '../helpers/server.js';
import { expectResumedWithNothingLost, scoringPlayers } from './scoring-players.js';

let server: TestServer;
let frozen = 0;
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--world-width', '100', '--world-height', '100', '--coins', '30'] });
});
afterAll(async () => {
  if (frozen) process.kill(frozen, 'SIGCONT');
  await server?.stop();
});

it('keeps every score a player saw when its worker dies while the coordinator hangs', async () => {
  const sp = await scoringPlayers(server);
  const { players, victims, shown, stop } = sp;
  await sleep(1000);

  // The coordinator hangs: its socket takes bytes, it reads none.
  frozen = coordinatorPid(server);
  process.kill(frozen, 'SIGSTOP');
  const atFreeze = new Map(victims.map((c) => [c.id, shown.get(c.id) ?? 0]));
  // Players on the doomed worker keep scoring meanwhile.
  await until(() => victims.some((c) => (shown.get(c.id) ?? 0) >= atFreeze.get(c.id)! + 3), 20_000, 'points scored while the coordinator hangs');
  await sleep(300);
  process.kill(workerPid(server, 0), 'SIGKILL');
  await sleep(200); // no state can come from a dead worker: what is shown now is final
  const shownAtKill = new Map(victims.map((c) => [c.id, shown.get(c.id) ?? 0]));
  const scoredWhileHung = victims.reduce((n, c) => n + shownAtKill.get(c.id)! - atFreeze.get(c.id)!, 0);
  expect(scoredWhileHung).toBeGreaterThan(0);

  // Killed as the hang detector would (sooner, to keep the test short).
  process.kill(frozen, 'SIGKILL');
  frozen = 0;
  stop.stopped = true;
  await expectResumedWithNothingLost(server, sp, shownAtKill);
  console.log(`[figure] worker SIGKILLed while the coordinator hung, then the coordinator killed: ${scoredWhileHung} points shown in that window on it, 0 lost`);
  for (const c of players) c.close();
}, 120_000);
