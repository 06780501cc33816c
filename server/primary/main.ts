// The primary process: supervises the coordinator and the workers, owns the game port, and
// never runs game logic.
import cluster from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, usage, ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from 'pino';
import { CoordinatorLink } from '../ipc/coordinator-link.js';
import { setProcessLabel } from '../metrics/registry.js';
import { openConsole } from '../console/service.js';
import { Acceptor } from './net/acceptor.js';
import { DataDirError, secureDataDir } from './data-dir.js';
import { healthAnswer } from '../http/health.js';
import { MetricsAggregator } from './metrics-aggregator.js';
import { registerSupervision } from '../metrics/supervision.js';
import { ReadinessCheck } from './supervision/readiness.js';
import { Supervisor, type Slot } from './supervision/supervisor.js';
import { EXIT_STORE_DAMAGED } from '../coordinator/store/cannot-load.js';
import { AuthConfigError, loadKeys } from '../auth/keys.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface PrimaryHandle {
  config: Config;
  supervisor: Supervisor;
  acceptor: Acceptor;
  link: CoordinatorLink;
  startedAt: number;
  log: Logger;
  shutdown(reason: string): Promise<void>;
  /** Other modules (the console) take worker messages they know; return true when handled. */
  workerMessageHandlers: Array<(s: Slot, m: any) => boolean>;
}

function coordinatorSocketPath(data: string): string {
  const p = path.join(data, 'coordinator.sock');
  // Unix socket paths are limited to about 107 bytes.
  return p.length < 100 ? p : path.join(os.tmpdir(), `shoal-coord-${process.pid}.sock`);
}

export async function startPrimary(argv: string[]): Promise<PrimaryHandle | null> {
  let config: Config;
  try {
    const r = loadConfig(argv);
    if (r.help) {
      console.log(usage());
      process.exit(0);
    }
    config = r.config;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`shoal: ${err.message}\n(run with --help for the settings)`);
      process.exit(2);
    }
    throw err;
  }
  if (config.auth === 'jwt') {
    // Checked once here, so a bad key file stops the server before any player can be refused by it.
    try {
      await loadKeys(config);
    } catch (err) {
      if (!(err instanceof AuthConfigError)) throw err;
      console.error(`shoal: ${err.message}`);
      process.exit(2);
    }
  }
  const startedAt = Date.now();
  const log = createLogger('primary', config.logLevel);
  setProcessLabel('primary');
  // Everything Shoal creates is private to this user; the coordinator and workers inherit the umask.
  process.umask(0o077);
  try {
    const tightened = secureDataDir(config.data);
    if (tightened.length) log.warn({ code: 'DATA_DIR_TIGHTENED', tightened }, 'data directory was readable by other users; made private');
  } catch (err) {
    if (!(err instanceof DataDirError)) throw err;
    log.fatal({ code: 'DATA_DIR_UNSAFE', data: config.data }, err.message);
    console.error(`shoal: ${err.message}`);
    process.exit(2);
  }
  // First, before any process touches the data: the console socket doubles as the data dir's lock.
  const opsConsole = await openConsole(config, log);
  const coordSocket = coordinatorSocketPath(config.data);

  const baseEnv = {
    SHOAL_CONFIG_JSON: JSON.stringify(config),
    SHOAL_COORD_SOCKET: coordSocket,
    SHOAL_STARTED_AT: String(startedAt),
  };

  cluster.setupPrimary({ exec: path.join(here, '../worker/main.js'), serialization: 'advanced', silent: false });

  let acceptor!: Acceptor;
  let metrics!: MetricsAggregator;
  let readiness!: ReadinessCheck;
  let coordinatorReady!: () => void;
  const coordinatorUp = new Promise<void>((r) => (coordinatorReady = r));
  const workerReady = new Map<number, () => void>();
  const workerMessageHandlers: PrimaryHandle['workerMessageHandlers'] = [];

  const supervisor = new Supervisor({
    workers: config.workers,
    workerEnv: (slot) => ({ ...baseEnv, SHOAL_WORKER_SLOT: String(slot) }),
    coordinatorScript: path.join(here, '../coordinator/main.js'),
    coordinatorEnv: baseEnv,
    log,
    hangTimeoutMs: config.hangTimeoutMs,
    startTimeoutMs: config.startTimeoutMs,
    onCoordinatorReady: () => coordinatorReady(),
    onCoordinatorCannotLoad: (message) => {
      log.fatal({ code: 'STORE_DAMAGED' }, message);
      console.error(`shoal: ${message}`);
      void shutdown('store damaged').then(() => process.exit(EXIT_STORE_DAMAGED));
    },
    onWorkerMessage: (s, m) => onWorkerMessage(s, m),
    onWorkerExit: (s) => acceptor?.workerGone(s.slot),
  });

  const link = new CoordinatorLink(coordSocket, () => {}, log);
  link.onConnect = async (ch) => {
    await ch.request('primary.hello', {});
  };

  function onWorkerMessage(s: Slot, m: any): void {
    if (!m || typeof m.t !== 'string') return;
    switch (m.t) {
      case 'ready':
        workerReady.get(s.slot)?.();
        log.info({ slot: s.slot, workerPid: m.pid, restarts: s.restarts }, 'worker running');
        return;
      case 'conn.ack':
        acceptor.acked(s.slot);
        return;
      case 'conn.closed':
        acceptor.released(s.slot, m.ids);
        return;
      case 'health.get':
        readiness.check(m.address).then((r) => supervisor.sendToWorker(s, { t: 'health.result', id: m.id, r }));
        return;
      case 'metrics.collect':
        metrics.collect().then(
          (text) => supervisor.sendToWorker(s, { t: 'metrics.result', id: m.id, text }),
          (err) => supervisor.sendToWorker(s, { t: 'metrics.result', id: m.id, text: `# metrics failed: ${err.message}\n` }),
        );
        return;
      case 'metrics.json':
        metrics.received(m.id, m.data);
        return;
    }
    for (const h of workerMessageHandlers) if (h(s, m)) return;
    if (m.t.startsWith('relay.')) {
      // Relay between the worker holding a client's socket and the worker running its room.
      // Its target is gone (or found dead by this send): the sender closes its end (a relay.open
      // included, or its client would wait forever).
      const targetGone = () => {
        if (m.t !== 'relay.close') supervisor.sendToWorker(s, { t: 'relay.close', rid: m.rid });
      };
      const to = supervisor.slots[m.to];
      if (!to || !supervisor.sendToWorker(to, m, (err) => err && targetGone())) targetGone();
    }
  }

  acceptor = new Acceptor({
    config,
    log,
    running: () => supervisor.running(),
    route: (c) => opsConsole.route(link.request('route', c, 1000)),
    isBanned: (address) => opsConsole.isBanned(address),
    responsive: () => supervisor.responsive(),
    answerWithoutWorker: async (p, address) => {
      // Prometheus must still scrape with no worker answering, or shoal_workers_running == 0 is never seen.
      if (p === '/metrics') return { status: 200, body: null, text: await metrics.collect() };
      const r = await readiness.check(address);
      if (p === '/health' || p === '/ready' || p === '/live') return healthAnswer(p, r, (Date.now() - startedAt) / 1000);
      return { status: 503, body: { error: 'UNAVAILABLE', message: 'no worker is answering; try again shortly', status: 'degraded', reasons: r.reasons } };
    },
  });
  readiness = new ReadinessCheck({ config, link, supervisor, acceptor, stopping: () => stopping !== null || opsConsole.shutdownScheduled() });
  metrics = new MetricsAggregator(() => supervisor.running(), link);
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

  let stopping: Promise<void> | null = null;
  const stopWaiters: Array<() => void> = [];
  const waitStopping = (r: () => void) => stopWaiters.push(r);
  const shutdown = (reason: string): Promise<void> => {
    if (stopping) return stopping;
    for (const w of stopWaiters) w();
    stopping = (async () => {
      log.info({ reason }, 'shutting down');
      acceptor.close();
      // No new connections to route; the coordinator's going away is expected from here on.
      link.stop();
      await supervisor.stopAll('shutdown', config.shutdownTimeoutMs);
      log.info('shutdown complete');
    })();
    return stopping;
  };
  // Installed before anything starts, so a signal during start-up also shuts down cleanly.
  const onSignal = (sig: string) => {
    shutdown(sig).then(() => process.exit(0));
    // A second signal, or a stuck shutdown, ends it the hard way.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2000).unref();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  opsConsole.whileStarting(() => supervisor.coordinatorProblem);
  supervisor.startCoordinator();
  await Promise.race([coordinatorUp, new Promise<void>((r) => void waitStopping(r))]);
  if (stopping) {
    await stopping;
    return null;
  }
  link.start();
  const allReady = supervisor.slots.map((s) => new Promise<void>((r) => workerReady.set(s.slot, r)));
  supervisor.startAll();
  await Promise.race([Promise.all(allReady), new Promise((r) => setTimeout(r, 15_000))]);
  if (stopping) {
    await stopping;
    return null;
  }

  try {
    await acceptor.listen();
  } catch (err) {
    log.fatal({ err, code: 'LISTEN_FAILED', port: config.port }, 'cannot listen on the game port');
    await supervisor.stopAll('shutdown', 3000);
    process.exit(1);
  }
  log.info({ port: acceptor.port, host: config.host, workers: config.workers, data: config.data }, 'shoal listening');

  const handle: PrimaryHandle = { config, supervisor, acceptor, link, startedAt, log, shutdown, workerMessageHandlers };
  opsConsole.attach(handle);
  return handle;
}
