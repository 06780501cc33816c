// The operator console as the primary sees it: claimed first thing at start (the socket is the
// lock on the data directory), attached to the running server once it is up.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { coordinatorSocketPath } from '../ipc/coordinator-socket.js';
import { createLogger } from '../log/logger.js';
import { BanList, type BanEntry } from './bans.js';
import { TABLE } from './commands/index.js';
import { runForHost } from './commands/moderation.js';
import { newState, type ConsoleContext } from './context.js';
import type { ConsoleHost } from './host.js';
import { ConsoleServer } from './server.js';
import { EXIT_IN_USE, claimConsoleSocket } from './socket-guard.js';
import { WorkerRpc } from './worker-rpc.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export interface OperatorConsole {
  /** For the acceptor: is this peer address banned now. */
  isBanned(address: string): boolean;
  /** Starts answering commands against the running server. */
  attach(host: ConsoleHost): void;
  /** Until attach: a problem code (e.g. COORDINATOR_CRASH_LOOP) to answer instead of STARTING. */
  whileStarting(problem: () => string | undefined): void;
  /** A `shutdown SECONDS` is counting down: /health says so, so a load balancer drains this host. */
  shutdownScheduled(): boolean;
  /** Stops listening and removes the socket (the data directory's lock): the server has stopped. */
  close(): void;
}

/**
 * Claims the console socket. Another live server on it (or on this data directory's coordinator
 * socket) ends this process with EXIT_IN_USE before it has touched any data.
 */
export async function openConsole(config: Config, log: Logger): Promise<OperatorConsole> {
  const coord = coordinatorSocketPath(config.data);
  let server;
  try {
    server = await claimConsoleSocket(config.console, coord.inDataDir ? [coord.path] : []);
  } catch (err) {
    const e = err as CodedError;
    const inUse = e.code === 'CONSOLE_IN_USE' || e.code === 'DATA_IN_USE';
    log.fatal({ code: e.code ?? 'CONSOLE_FAILED', socket: config.console, data: config.data }, e.message);
    console.error(`shoal: ${e.message} [${e.code}]${inUse ? '\nshoal: stop the other server first, or give this one its own --data directory' : ''}`);
    process.exit(inUse ? EXIT_IN_USE : 1);
  }
  // Audit lines stay at info whatever `loglevel` does to the other loggers.
  const audit = createLogger('console', config.logLevel === 'silent' ? 'silent' : 'info');
  const bans = new BanList();
  const cs = new ConsoleServer(server, config.console, audit, TABLE, {
    maxConnections: config.consoleMaxConnections,
    maxLineBytes: config.consoleMaxLineBytes,
    maxPipelined: config.consoleMaxPipelined,
    lineTimeoutMs: config.consoleLineTimeoutMs,
  });
  log.info({ socket: config.console }, 'operator console listening');
  let ctx: ConsoleContext | null = null;
  return {
    isBanned: (address) => bans.isBanned(address),
    attach: (host) => cs.attach((ctx = makeContext(host, bans, audit))),
    whileStarting: (problem) => {
      cs.startingProblem = problem;
    },
    shutdownScheduled: () => ctx?.state.shutdownAt != null,
    close: () => cs.close(),
  };
}

function makeContext(host: ConsoleHost, bans: BanList, audit: Logger): ConsoleContext {
  const rpc = new WorkerRpc(host);
  const ctx: ConsoleContext = { host, rpc, bans, state: newState(), version: version(), audit };
  host.onWorkerMessage((slot, m) => rpc.onMessage(slot, m));
  // With --store redis: kick, ban and unban made at another host's console, run here too.
  host.onHostCommand((cmd) => runForHost(ctx, cmd));

  // A worker process that (re)started gets what was changed at run time since the server began.
  rpc.onHello = (slot) => {
    const { limits, levels } = ctx.state;
    if (Object.keys(limits).length === 0 && !levels.worker) return;
    rpc.request(slot, 'sync', { limits, level: levels.worker }).catch((err) => host.log.warn({ err, slot }, 'console: worker sync failed'));
  };

  // So does a restarted coordinator (drains are its own: it keeps them); and the ban list is read
  // again from it.
  const loadBans = (p: Promise<BanEntry[]>) => p.then((list) => bans.set(list), (err) => host.log.warn({ err }, 'console: cannot read the ban list'));
  // Neither answer is awaited: requests waiting for the coordinator go out without them.
  host.onCoordinatorConnect((request) => {
    const { limits, levels } = ctx.state;
    if (Object.keys(limits).length || levels.coordinator) {
      request('admin.sync', { limits, level: levels.coordinator }).catch(() => {});
    }
    void loadBans(request('admin.bans', {}));
    return Promise.resolve();
  });
  void loadBans(host.request('admin.bans', {}));
  return ctx;
}

function version(): string {
  try {
    // dist/server/console -> the package root
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const up of ['../../..', '../..']) {
      const f = path.join(here, up, 'package.json');
      if (fs.existsSync(f)) return (JSON.parse(fs.readFileSync(f, 'utf8')) as { version?: string }).version ?? 'unknown';
    }
  } catch {
    // fall through
  }
  return 'unknown';
}
