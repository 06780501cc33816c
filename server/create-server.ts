// A Shoal server started from code. The script that calls `createServer({ games })` is the entry
// of every process of the server: in the primary it checks the settings and the games, then
// starts the coordinator and the workers from that same script, each with its role as its first
// argument (process-role.ts); there `createServer` runs again with the same games and takes the
// role. So an author's games, wherever they are imported from, load in every process that needs
// them, and one script is the whole server (`npm start` is this with the built-in games).
import { CodedError } from '../shared/errors/coded-error.js';
import type { CodeSettings } from './config/load.js';
import type { Config } from './config/schema.js';
import type { GameEntry } from './game-api/index.js';
import { loadGamesModule } from './games/games-module.js';
import { registerGames } from './games/index.js';
import { loadSettings } from './primary/start/settings.js';
import { roleOf, type ProcessRole } from './process-role.js';
import { applyHeapSettings } from './heap-settings.js';

export interface ServerOptions {
  /** The games this server runs (the built-in ones are `builtInGames`); a --games module adds to them. */
  games: readonly GameEntry[];
  /** Settings by name (`{ port: 9000, workers: 2 }`): over the defaults, under a --config file, the environment and flags. */
  settings?: CodeSettings;
  /** Command-line settings, as `npm start -- --port 9000` takes them. Default: this process's (process.argv.slice(2)). */
  argv?: readonly string[];
  /** The script every process of the server starts from. Default: this process's main script (process.argv[1]). */
  script?: string;
}

export interface ShoalServer {
  /** This process's part: code after `await createServer(...)` runs in every process, so check it. */
  readonly role: ProcessRole;
  /** The game port (primary; the one it listens on, also when --port 0 let the system choose). */
  readonly port: number;
  /**
   * Primary: stops the whole server gracefully, as SIGTERM does (players told, rooms and scores
   * saved, every process ended, the console socket removed), without exiting this process.
   * Elsewhere: nothing (the primary stops its processes).
   */
  stop(): Promise<void>;
}

/** Starts this process's part of a Shoal server running `games`. */
export async function createServer(options: ServerOptions): Promise<ShoalServer> {
  const role = roleOf(process.argv.slice(2));
  if (role === 'primary') return startPrimaryRole(options);
  return startChildRole(role, options);
}

/** Bad settings or games stop the start with one line and exit code 2 (--help: the settings, 0). */
async function startPrimaryRole(options: ServerOptions): Promise<ShoalServer> {
  const config = await loadSettings(options.argv ?? process.argv.slice(2), options.settings);
  applyHeapSettings('primary', config.smallYoungGen);
  try {
    registerGames([...options.games, ...(await loadGamesModule(config.games))]);
  } catch (err) {
    if (!(err instanceof CodedError)) throw err;
    console.error(`shoal: ${err.message}`);
    process.exit(2);
  }
  const script = options.script ?? process.argv[1];
  if (!script) {
    console.error('shoal: createServer must run from a script file: its workers and coordinator start from it');
    process.exit(2);
  }
  const { startPrimary } = await import('./primary/main.js');
  const handle = await startPrimary(config, script);
  return {
    role: 'primary',
    port: handle?.acceptor.port ?? 0,
    stop: async () => {
      await handle?.stop('stopped by the server script');
    },
  };
}

/**
 * A worker, the coordinator or a deploy's pre-flight: the primary checked everything; take its
 * settings and the same games (a pre-flight reports games that do not load instead of dying).
 */
async function startChildRole(role: Exclude<ProcessRole, 'primary'>, options: ServerOptions): Promise<ShoalServer> {
  const json = process.env.SHOAL_CONFIG_JSON;
  if (!json) {
    console.error(`shoal: a ${role} is started by its primary, not by hand`);
    process.exit(2);
  }
  const config = JSON.parse(json) as Config;
  applyHeapSettings(role, config.smallYoungGen);
  const loadGames = async () => registerGames([...options.games, ...(await loadGamesModule(config.games))]);
  if (role === 'deploy-check') {
    const { runDeployCheck } = await import('./worker/deploy-probe/main.js');
    await runDeployCheck(config, loadGames);
    return { role, port: config.port, stop: () => Promise.resolve() };
  }
  await loadGames();
  // Imported now, not above: each role's module starts it when loaded, with the games registered.
  if (role === 'worker') await import('./worker/main.js');
  else await import('./coordinator/main.js');
  return {
    role,
    port: config.port,
    stop: () => Promise.resolve(),
  };
}
