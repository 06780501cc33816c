// A deploy's pre-flight process: the new build on disk, started by the primary before any worker
// is replaced. It loads the games exactly as a worker of the new build would and reads each room's
// snapshot the way that worker will (dry-run.ts), answering over IPC; it serves no player, joins
// no coordinator channel and writes nothing. It ends when the primary lets go of it.
import type { Config } from '../../config/schema.js';
import { DEFAULT_GAME, hostGames } from '../../games/index.js';
import { isMessage } from '../../ipc/primary-worker.js';
import type { PrimaryToProbe, ProbeToPrimary } from '../../ipc/primary-probe.js';
import type { HostedGame } from '../../game-api/index.js';
import { dryRun } from './dry-run.js';

const send = (m: ProbeToPrimary) => {
  if (process.connected) process.send!(m);
};

let games: Map<string, HostedGame>;
try {
  games = hostGames(JSON.parse(process.env.SHOAL_CONFIG_JSON!) as Config);
} catch (err) {
  send({ t: 'probe.failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

process.on('message', (m: unknown) => {
  if (!isMessage<PrimaryToProbe>(m) || m.t !== 'probe.check') return;
  send({ t: 'probe.result', id: m.id, rows: dryRun(games, m.rooms, DEFAULT_GAME) });
});
// The primary is done with it (or gone).
process.on('disconnect', () => process.exit(0));
send({ t: 'probe.ready', games: [...games.values()].map((g) => ({ name: g.name, version: g.version })) });
