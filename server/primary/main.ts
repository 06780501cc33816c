// The primary process: supervises the coordinator and the workers, owns the game port, and
// never runs game logic. `startPrimary` runs the start steps in order; each step is a small
// function here or a file in start/ named after it.
import cluster from 'node:cluster';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from 'pino';
import { CoordinatorLink } from '../ipc/coordinator-link.js';
import { coordinatorSocketPath } from '../ipc/coordinator-socket.js';
import { setProcessLabel } from '../metrics/registry.js';
import { openConsole, type OperatorConsole } from '../console/service.js';
import { Acceptor } from './net/acceptor.js';
import { HANDOFF_ACKS_ENV } from '../ipc/primary-worker.js';
import { holdRoute } from './net/route-hold.js';
import { QuickSeats } from './net/quick-seats.js';
import { consoleHost } from './console-host.js';
import type { ProbeSpawn } from './deploy-probe.js';
import { healthAnswer } from '../http/health.js';
import { MetricsAggregator } from './metrics-aggregator.js';
import { registerSupervision } from '../metrics/supervision.js';
import { ReadinessCheck } from './supervision/readiness.js';
import { Supervisor } from './supervision/supervisor.js';
import { EXIT_STORE_DAMAGED } from '../coordinator/store/cannot-load.js';
import { DEFAULT_GAME, gameNames, healthReportsAtStart, hostGames } from '../games/index.js';
import { gameDeclarationProblem } from './start/check-games.js';
import { openDataDir } from './start/open-data-dir.js';
import { Shutdown } from './start/shutdown.js';
import { workerMessageRouter, type WorkerMessageHandler } from './start/worker-messages.js';
import { roleArg } from '../process-role.js';

export interface PrimaryHandle {
  config: Config;
  supervisor: Supervisor;
  acceptor: Acceptor;
  link: CoordinatorLink;
  startedAt: number;
  log: Logger;
  shutdown(reason: string): Promise<void>;
  /** Shuts down, then lets go of the console socket (the data directory's lock): nothing of the server is left in this process. */
  stop(reason: string): Promise<void>;
  /** Other modules (the console) take worker messages they know; return true when handled. */
  workerMessageHandlers: WorkerMessageHandler[];
  /** How a deploy's pre-flight process of the build on disk is started (as a worker would be). */
  probeSpawn: Omit<ProbeSpawn, 'log'>;
}

/** Everything the start steps build, before any of it runs. */
interface Primary {
  config: Config;
  log: Logger;
  startedAt: number;
  opsConsole: OperatorConsole;
  supervisor: Supervisor;
  link: CoordinatorLink;
  acceptor: Acceptor;
  metrics: MetricsAggregator;
  readiness: ReadinessCheck;
  stop: Shutdown;
  coordinatorUp: Promise<void>;
  workerReady: Map<number, () => void>;
  workerMessageHandlers: WorkerMessageHandler[];
  probeSpawn: Omit<ProbeSpawn, 'log'>;
}

/**
 * Runs the primary with checked settings (createServer checks them). `script` is the entry script
 * every other process of the server starts from, with its role as the first argument, so the
 * games the entry script gives createServer load in the workers and the coordinator too.
 */
export async function startPrimary(config: Config, script: string): Promise<PrimaryHandle | null> {
  const badGame = gameDeclarationProblem(hostGames(config).values(), config.gameStringMax);
  if (badGame) {
    console.error(`shoal: ${badGame}`);
    process.exit(2);
  }
  const startedAt = Date.now();
  const log = createLogger('primary', config.logLevel);
  setProcessLabel('primary');
  openDataDir(config, log);
  // First, before any process touches the data: the console socket doubles as the data dir's lock.
  const opsConsole = await openConsole(config, log);
  const p = assemble(config, log, startedAt, opsConsole, script);
  // Installed before anything starts, so a signal during start-up also shuts down cleanly.
  p.stop.onSignals();

  if (!(await startCoordinator(p))) return null;
  if (!(await startWorkers(p))) return null;
  await startAcceptor(p);
  return attachConsole(p);
}

/** Builds the supervisor, the coordinator link, the acceptor and the primary's health and metrics views. */
function assemble(config: Config, log: Logger, startedAt: number, opsConsole: OperatorConsole, script: string): Primary {
  const coordSocket = coordinatorSocketPath(config.data).path;
  const baseEnv = {
    SHOAL_CONFIG_JSON: JSON.stringify(config),
    SHOAL_COORD_SOCKET: coordSocket,
    SHOAL_STARTED_AT: String(startedAt),
  };
  cluster.setupPrimary({ exec: script, args: [roleArg('worker')], serialization: 'advanced', silent: false });

  let coordinatorReady!: () => void;
  const coordinatorUp = new Promise<void>((r) => (coordinatorReady = r));
  const workerReady = new Map<number, () => void>();
  const workerMessageHandlers: WorkerMessageHandler[] = [];
  // The supervisor's callbacks name parts built below: they run only once processes do.
  const supervisor = new Supervisor({
    workers: config.workers,
    workerEnv: (slot) => ({ ...baseEnv, SHOAL_WORKER_SLOT: String(slot), [HANDOFF_ACKS_ENV]: 'node' }),
    coordinatorScript: script,
    coordinatorArgs: [roleArg('coordinator')],
    coordinatorEnv: baseEnv,
    log,
    hangTimeoutMs: config.hangTimeoutMs,
    startTimeoutMs: config.startTimeoutMs,
    onCoordinatorReady: () => coordinatorReady(),
    onStoreHealth: (ok, reason) => readiness.storeHealth(ok, reason),
    onCoordinatorCannotLoad: (message, code) => {
      log.fatal({ code }, message);
      console.error(`shoal: ${message}`);
      void stop.run(code === 'STORE_UNREACHABLE' ? 'store unreachable' : 'store damaged').then(() => process.exit(EXIT_STORE_DAMAGED));
    },
    onWorkerMessage: (s, m) => routeWorkerMessage(s, m),
    onWorkerExit: (s) => {
      acceptor.workerGone(s.slot);
      readiness.refresh();
    },
  });
  const routeWorkerMessage = workerMessageRouter({
    log,
    supervisor,
    acceptor: () => acceptor,
    readiness: () => readiness,
    metrics: () => metrics,
    ready: (slot) => workerReady.get(slot)?.(),
    // A worker that starts hears the readiness state before any connection is handed to it.
    readinessSnapshot: () => readiness.snapshot(),
    handlers: workerMessageHandlers,
  });

  // Quick-joins are placed from the coordinator's board of free seats (net/quick-seats.ts).
  const quickSeats = new QuickSeats(new Set(gameNames()));
  const link = new CoordinatorLink(coordSocket, (...push) => {
    if (push[0] === 'quick.seats') quickSeats.update(push[1]);
  }, log);
  link.onConnect = async (ch) => {
    await ch.request('primary.hello', {});
  };

  const acceptor: Acceptor = new Acceptor({
    config,
    log,
    running: () => supervisor.running(),
    // A new room matchmaking makes up is named for the game it will play.
    // A connection for a worker being replaced waits for the replacement (a hello sent with it still in time).
    route: (c) => holdRoute(link.request('route', { ...c, game: c.game ?? DEFAULT_GAME }, 1000), (slot) => supervisor.replacement(slot), config.helloTimeoutMs - 1000),
    placeQuick: (game, running, load) => quickSeats.place(game ?? DEFAULT_GAME, running, load),
    isBanned: (address) => opsConsole.isBanned(address),
    responsive: () => supervisor.responsive(),
    answerWithoutWorker: async (path, address) => {
      // Prometheus must still scrape with no worker answering, or shoal_workers_running == 0 is never seen.
      if (path === '/metrics') return { status: 200, body: null, text: await metrics.collect() };
      const r = await readiness.check(address);
      if (path === '/health' || path === '/ready' || path === '/live') return healthAnswer(path, r, (Date.now() - startedAt) / 1000);
      return { status: 503, body: { error: 'UNAVAILABLE', message: 'no worker is answering; try again shortly', status: 'degraded', reasons: r.reasons } };
    },
    // Pushed to the workers in the same turn, ahead of any hand-off that follows.
    booksChanged: (address) => readiness.booksChanged(address),
    limitsChanged: () => readiness.limitsChanged(),
  });
  const stop = new Shutdown({ config, log, acceptor: () => acceptor, link, supervisor });
  const readiness: ReadinessCheck = new ReadinessCheck({
    config, link, supervisor, acceptor, stopping: () => stop.started || opsConsole.shutdownScheduled(), initialReports: healthReportsAtStart(),
  });
  // Every worker answers /health from what the primary pushes (worker/primary-link/readiness-mirror.ts).
  readiness.startPushing((m) => {
    for (const s of supervisor.slots) supervisor.sendToWorker(s, m);
  });
  const metrics = new MetricsAggregator(() => supervisor.running(), link);
  registerSupervision({
    slots: supervisor.slots,
    responsive: () => supervisor.responsive().length,
    get coordinatorRestarts() {
      return supervisor.coordinatorRestarts;
    },
    get coordinatorProblem() {
      return supervisor.coordinatorProblem;
    },
    coordinatorUp: () => link.connected && supervisor.coordinatorAnswering() && !supervisor.coordinatorProblem,
  });

  // A deploy's pre-flight: the worker's build and settings, in a process of its own.
  const probeSpawn = { script, args: [roleArg('deploy-check')], env: baseEnv };
  return { config, log, startedAt, opsConsole, supervisor, link, acceptor, metrics, readiness, stop, coordinatorUp, workerReady, workerMessageHandlers, probeSpawn };
}

/** Starts the coordinator and waits until it is ready; false if a shutdown came first. */
async function startCoordinator(p: Primary): Promise<boolean> {
  p.opsConsole.whileStarting(() => p.supervisor.coordinatorProblem);
  p.supervisor.startCoordinator();
  await Promise.race([p.coordinatorUp, p.stop.begun()]);
  return !(await stoppedDuringStart(p));
}

/** Connects to the coordinator and starts every worker; waits (up to 15 s) for all to be ready. */
async function startWorkers(p: Primary): Promise<boolean> {
  p.link.start();
  const allReady = p.supervisor.slots.map((s) => new Promise<void>((r) => p.workerReady.set(s.slot, r)));
  p.supervisor.startAll();
  await Promise.race([Promise.all(allReady), new Promise((r) => setTimeout(r, 15_000).unref())]);
  return !(await stoppedDuringStart(p));
}

/** A shutdown began during a start step: wait for it to finish; true when so. */
async function stoppedDuringStart(p: Primary): Promise<boolean> {
  const stopping = p.stop.done;
  if (!stopping) return false;
  await stopping;
  return true;
}

/** Opens the game port; a port that cannot be had stops everything (exit 1). */
async function startAcceptor(p: Primary): Promise<void> {
  const { acceptor, config, log } = p;
  try {
    await acceptor.listen();
  } catch (err) {
    log.fatal({ err, code: 'LISTEN_FAILED', port: config.port }, 'cannot listen on the game port');
    await p.supervisor.stopAll('shutdown', 3000);
    process.exit(1);
  }
  log.info({ port: acceptor.port, host: config.host, workers: config.workers, data: config.data, games: gameNames() }, 'shoal listening');
}

/** Hands the running server to the operator console. */
function attachConsole(p: Primary): PrimaryHandle {
  const { config, supervisor, acceptor, link, startedAt, log, workerMessageHandlers, probeSpawn } = p;
  const stop = async (reason: string) => {
    await p.stop.run(reason);
    p.opsConsole.close();
  };
  const handle: PrimaryHandle = { config, supervisor, acceptor, link, startedAt, log, shutdown: (reason) => p.stop.run(reason), stop, workerMessageHandlers, probeSpawn };
  p.opsConsole.attach(consoleHost(handle));
  return handle;
}
