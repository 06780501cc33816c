// A deploy's pre-flight process (role deploy-check): the new build on disk, started by the primary
// from the server's entry script before any worker is replaced. It loads the games exactly as a
// worker of the new build would (the script's games and the --games module, read from disk now)
// and reads each room's snapshot the way that worker will (dry-run.ts), answering over IPC; it
// serves no player, joins no coordinator channel and writes nothing. Games that do not load are
// reported (probe.failed), not a crash. It ends when the primary lets go of it.
import type { Config } from '../../config/schema.js';
import { DEFAULT_GAME, hostGames } from '../../games/index.js';
import { isMessage } from '../../ipc/primary-worker.js';
import type { PrimaryToProbe, ProbeToPrimary } from '../../ipc/primary-probe.js';
import { dryRun } from './dry-run.js';

const send = (m: ProbeToPrimary) => {
  if (process.connected) process.send!(m);
};

/** Loads the games (`loadGames` registers them) and answers the primary's checks. */
export async function runDeployCheck(config: Config, loadGames: () => Promise<void>): Promise<void> {
  // The primary is done with it (or gone).
  process.on('disconnect', () => process.exit(0));
  let games;
  try {
    await loadGames();
    games = hostGames(config);
  } catch (err) {
    // The primary ends this process when it reads this.
    send({ t: 'probe.failed', message: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
    return;
  }
  const hosted = games;
  process.on('message', (m: unknown) => {
    if (!isMessage<PrimaryToProbe>(m) || m.t !== 'probe.check') return;
    send({ t: 'probe.result', id: m.id, rows: dryRun(hosted, m.rooms, DEFAULT_GAME) });
  });
  send({ t: 'probe.ready', games: [...hosted.values()].map((g) => ({ name: g.name, version: g.version })) });
}
