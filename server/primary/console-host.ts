// The primary's side of the console's host interface (server/console/host.ts): each call is
// passed to the part that owns it — the supervisor (processes, restart), the acceptor (connection
// books, socket cap), the coordinator link (drain, coordinator ops), deploy-probe.ts (a deploy's
// pre-flight process). Nothing here keeps state.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { CoordinatorLink } from '../ipc/coordinator-link.js';
import type { ConsoleHost } from '../console/host.js';
import type { WorkerToPrimary } from '../ipc/primary-worker.js';
import { applyLimits } from '../console/limits.js';
import type { Acceptor } from './net/acceptor.js';
import type { Supervisor } from './supervision/supervisor.js';
import { startDeployProbe, type ProbeSpawn } from './deploy-probe.js';

/** How long a restarted worker's replacement has to run. */
const RESTART_READY_TIMEOUT_MS = 30_000;

export interface ConsoleHostParts {
  config: Config;
  log: Logger;
  startedAt: number;
  supervisor: Supervisor;
  acceptor: Acceptor;
  link: CoordinatorLink;
  /** Where the primary passes worker messages it does not handle itself. */
  workerMessageHandlers: Array<(slot: number, m: WorkerToPrimary) => boolean>;
  /** How a deploy's pre-flight process is started. */
  probeSpawn: Omit<ProbeSpawn, 'log'>;
}

export function consoleHost(p: ConsoleHostParts): ConsoleHost {
  const { config, supervisor, acceptor, link } = p;
  return {
    config,
    log: p.log,
    startedAt: p.startedAt,
    workerSlots: () =>
      supervisor.slots.map((s) => ({
        slot: s.slot,
        pid: s.worker?.process.pid ?? null,
        state: supervisor.replacement(s.slot) ? 'restarting' : s.state,
        restarts: s.restarts,
        ...(s.problem ? { problem: s.problem } : {}),
      })),
    runningWorkers: () => supervisor.running().length,
    coordinator: () => ({
      pid: supervisor.coordinator?.pid ?? null,
      restarts: supervisor.coordinatorRestarts,
      ...(supervisor.coordinatorProblem ? { problem: supervisor.coordinatorProblem } : {}),
    }),
    stopping: () => supervisor.stopping,
    restartWorker: (slot) => supervisor.restart(slot, { exitTimeoutMs: config.shutdownTimeoutMs, readyTimeoutMs: RESTART_READY_TIMEOUT_MS }),
    startDeployProbe: (timeoutMs) => startDeployProbe({ ...p.probeSpawn, log: p.log }, timeoutMs),
    connections: () => ({ port: acceptor.port, open: acceptor.stats().open, books: acceptor.bookStats(), refusals: { ...acceptor.refusals } }),
    setLimits: (limits) => {
      applyLimits(config, limits);
      acceptor.setLimits(limits);
    },
    sendToWorker: (slot, msg, done) => {
      const s = supervisor.slots[slot];
      if (!s?.worker?.isConnected()) return false;
      return supervisor.sendToWorker(s, msg, done);
    },
    onWorkerMessage: (h) => void p.workerMessageHandlers.push(h),
    request: (op, args, timeoutMs) => link.request(op, args, timeoutMs),
    onCoordinatorConnect: (h) => {
      const prev = link.onConnect;
      link.onConnect = async (ch) => {
        await prev(ch);
        await h((op, args, timeoutMs) => ch.request(op, args, timeoutMs));
      };
    },
    setDrained: (slot, on) => link.request('admin.drain', { slot, draining: on }, 3000),
    drainedSlots: () =>
      link.request('admin.stats', {}, 2000).then(
        (r) => r.drained ?? [],
        () => [],
      ),
    onHostCommand: (h) => {
      const prev = link.onPush;
      link.onPush = (...push) => {
        if (push[0] !== 'bus.run') return prev(...push);
        const { req, cmd } = push[1];
        void h(cmd).then((answer) => link.request('bus.answer', { req, answer }, 3000)).catch((err) => p.log.warn({ err, cmd: cmd.k }, 'console: cannot answer another host\'s command'));
      };
    },
  };
}
