// The coordinator process: owns the shared world state and serves it to the primary and the
// workers over direct channels on a Unix socket. Started (and restarted) by the primary.
// `main` runs the start steps in order (open the store, load the state and replay the journals,
// join the cluster and open the gate with --store redis, listen, timers) and sets up the one
// stop; each step is a file in start/ named after it. Its folders: store/ (the durable state on
// disk or in Redis), directory/ (sessions, rooms, placement, scores), scores/ (worker score
// journals at start), world/ (the World API's primitives), ops/ (the op table the channels call),
// cluster/ (Redis: the hosts, the bus, room ownership), gate/ (where hellos go across hosts).
import fs from 'node:fs';
import type net from 'node:net';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { StoreDamage } from './store/log-format.js';
import { EXIT_STORE_DAMAGED, StoreUnreachable } from './store/cannot-load.js';
import type { StateStore } from './store/types.js';
import type { Directory } from './directory/directory.js';
import { createOps } from './ops/ops.js';
import { SharedLeaderboard } from './ops/shared-leaderboard.js';
import type { OpContext } from './ops/context.js';
import { reportedValues } from '../games/index.js';
import type { CoordinatorChannel } from '../ipc/coordinator-ops.js';
import type { CoordinatorToPrimary, PrimaryToCoordinator } from '../ipc/primary-coordinator.js';
import { setProcessLabel } from '../metrics/registry.js';
import { openStore, type OpenedStore } from './start/open-store.js';
import { loadState } from './start/load-state.js';
import { listen } from './start/listen.js';
import { startTimers, type Timers } from './start/timers.js';
import { joinCluster } from './start/join-cluster.js';
import type { Cluster } from './cluster/cluster.js';
import { startFailover, type Failover } from './start/failover.js';
import { openGate, type OpenedGate } from './start/open-gate.js';

// Written by the primary from its checked settings (primary/main.ts).
const config = JSON.parse(process.env.SHOAL_CONFIG_JSON!) as Config;
const socketPath = process.env.SHOAL_COORD_SOCKET!;
const log = createLogger('coordinator', config.logLevel);
setProcessLabel('coordinator');

/** To the primary (cluster IPC), typed by primary-coordinator.ts. */
function toPrimary(m: CoordinatorToPrimary, done?: () => void): void {
  if (process.send) process.send(m, undefined, undefined, done);
  else done?.();
}
/** From the primary: the one listener for each kind of message. */
function onPrimary<T extends PrimaryToCoordinator['t']>(t: T, fn: () => void): void {
  process.on('message', (m: Partial<PrimaryToCoordinator> | null) => {
    if (m?.t === t) fn();
  });
}

// Answered from the first moment, so a long load is not taken for a hang.
onPrimary('alive?', () => toPrimary({ t: 'alive' }));

process.on('uncaughtException', (err) => {
  log.fatal({ err, code: 'COORDINATOR_CRASH' }, 'uncaught exception in coordinator');
  process.exit(70);
});

async function main(): Promise<void> {
  const started = Date.now();
  let opened: OpenedStore;
  try {
    opened = await openStore(config, log, (h) => toPrimary({ t: 'coordinator.store', ok: h.ok, ...(h.reason !== undefined ? { reason: h.reason } : {}) }));
  } catch (err) {
    if (err instanceof StoreDamage) return cannotLoad(err);
    if (err instanceof StoreUnreachable) return cannotReach(err);
    throw err;
  }
  const { store } = opened;
  const dir = await loadState(opened, config, log, started);
  const gate = await openGate(config, dir, log);

  const ctx: OpContext = { dir, config, workers: new Map<number, CoordinatorChannel>(), channels: new Set<CoordinatorChannel>(), log, store, reports: reportedValues(), gate: gate?.gate };
  if (opened.redis) ctx.board = new SharedLeaderboard(opened.redis.client, config, (n) => dir.leaderboard(n));
  ctx.save = async () => {
    await store.checkpoint(dir.snapshotState());
    dir.checkpointTaken();
  };
  // With --store redis: this host's heartbeat and the bus to the other hosts.
  ctx.cluster = await joinCluster(ctx, config, log);
  // With --store redis: the rooms this host loaded checked against their owners, fencing on the heartbeat, adoption.
  const failover = await startFailover(ctx, config, log);
  ctx.adopter = failover?.adopter;
  // With Redis every answer to a write waits for Redis's acknowledgement (the store writes behind).
  const policy = { waitEachWrite: opened.redis !== undefined || config.fsyncMs === 0, scoresWaitForBacklog: opened.redis !== undefined };
  const server = listen(socketPath, createOps(ctx), ctx, store, policy, log, () => toPrimary({ t: 'coordinator.ready' }));
  const timers = startTimers(dir, opened, config, log);
  stopOnce(dir, store, server, timers, ctx.cluster, failover, gate);
}

/** The one stop (asked by the primary, the primary gone, SIGTERM): save the state, then exit. */
function stopOnce(dir: Directory, store: StateStore, server: net.Server, timers: Timers, cluster: Cluster | undefined, failover: Failover | undefined, gate: OpenedGate | undefined): void {
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    timers.stop();
    await gate?.close();
    try {
      await store.checkpoint(dir.snapshotState());
      await store.close();
      log.info({ why }, 'coordinator stopped, state saved');
    } catch (err) {
      log.error({ err }, 'saving state at stop failed');
    }
    // After the last writes: the heartbeat goes, and other hosts may take this host's rooms at once
    // (they see this one gone now, not after the heartbeat's TTL).
    failover?.stop();
    await cluster?.stop();
    server.close();
    try {
      fs.unlinkSync(socketPath);
    } catch {
      // already gone
    }
    process.exit(0);
  };
  onPrimary('coordinator.stop', () => void stop('asked by primary'));
  // The primary is gone: nobody can reach us through it, so save and leave.
  process.on('disconnect', () => void stop('primary gone'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => {});
}

/** Damage found on load: one clear line to the log and the primary, and an exit it does not retry. */
function cannotLoad(err: StoreDamage): void {
  const message = `world store damaged: ${err.message}; run \`npm run repair -- --data ${config.data}\` (keeps what is good, backs up what it drops)`;
  log.fatal({ code: 'STORE_DAMAGED', file: err.file, offset: err.offset }, message);
  toPrimary({ t: 'coordinator.cannotLoad', message }, () => process.exit(EXIT_STORE_DAMAGED));
}

/** The store named by --store cannot be reached: one line, as for damage, and no restart. */
function cannotReach(err: StoreUnreachable): void {
  log.fatal({ code: 'STORE_UNREACHABLE' }, err.message);
  toPrimary({ t: 'coordinator.cannotLoad', message: err.message, code: 'STORE_UNREACHABLE' }, () => process.exit(EXIT_STORE_DAMAGED));
}

main().catch((err) => {
  log.fatal({ err, code: (err as { code?: string }).code ?? 'COORDINATOR_START_FAILED' }, 'coordinator failed to start');
  process.exit(70);
});
