// A worker process: runs rooms. The primary hands it connections (socket plus the bytes it read
// to classify them), relays for clients held elsewhere, and asks it for metrics and to stop.
//
// Its folders depend one way: net -> session -> rooms -> world. net (transports, intake, relay)
// makes sessions; a session (protocol state, rate limit) seats its player in a room host; a room
// host uses its room's world. What a folder needs back from its callers is an interface declared
// beside its user and implemented by them: rooms/seat-conn.ts, session/client-conn.ts, session's
// SessionRuntime, net/session-owner.ts, world-room's WorkerWorldLink. This file and runtime.ts
// (rooms, sessions, ticks, the coordinator link) wire them together; admin/ and primary-link/
// answer the primary.
import type net from 'node:net';
import type { Config } from '../config/schema.js';
import { DEFAULT_GAME, gameNames, hostGames } from '../games/index.js';
import { parseStore } from '../config/store-url.js';
import { createRouter } from '../http/router.js';
import { createLogger } from '../log/logger.js';
import { registry, setProcessLabel } from '../metrics/registry.js';
import { adminHandler } from './admin/admin.js';
import { Intake } from './net/intake.js';
import { HealthViaPrimary } from './primary-link/health-via-primary.js';
import { MetricsViaPrimary } from './primary-link/metrics-via-primary.js';
import { ReadinessMirror } from './primary-link/readiness-mirror.js';
import { WorkerRelay } from './net/relay.js';
import { WorkerRuntime } from './runtime.js';
import { AuthVerifier } from '../auth/verifier.js';
import { HANDOFF_ACKS_ENV, isMessage, type PrimaryToWorker, type WorkerToPrimary } from '../ipc/primary-worker.js';

const config = JSON.parse(process.env.SHOAL_CONFIG_JSON!) as Config;
const slot = Number(process.env.SHOAL_WORKER_SLOT);
const startedAt = Number(process.env.SHOAL_STARTED_AT);
const log = createLogger('worker', config.logLevel, { slot });
setProcessLabel(`worker-${slot}`);

process.on('uncaughtException', (err) => {
  log.fatal({ err, code: 'WORKER_CRASH' }, 'uncaught exception; exiting for a restart');
  process.exit(70);
});
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

/** Set by a primary that paces hand-offs by Node's own acknowledgement (primary/net/acceptor.ts, HANDOFF_ACKS_ENV). */
const nodeAcksHandoffs = process.env[HANDOFF_ACKS_ENV] === 'node';
const send = (m: WorkerToPrimary) => {
  if (process.connected) process.send!(m);
};
const rt = new WorkerRuntime(config, slot, hostGames(config), DEFAULT_GAME, log, process.env.SHOAL_COORD_SOCKET!);
// The primary checked the keys at start; a file changed since then leaves this worker with none
// (every token refused with AUTH_INVALID) until it is fixed and `auth reload` is run.
const authLoaded = config.auth === 'jwt'
  ? (rt.auth = new AuthVerifier(config)).load().catch((err: Error) => log.error({ err: err.message, code: 'AUTH_KEYS_UNREADABLE' }, 'auth keys could not be loaded'))
  : Promise.resolve();
const metrics = new MetricsViaPrimary(send);
const health = new HealthViaPrimary(send);
const readiness = new ReadinessMirror();
const router = createRouter({
  stats: () => rt.link.request('stats', {}),
  // Polled answers: the router reuses them for httpCacheMs (a burst costs one round trip).
  cacheMs: config.httpCacheMs,
  leaderboard: (limit) => rt.link.request('leaderboard', { limit }),
  rooms: (offset, limit) => rt.link.request('rooms.page', { offset, limit }),
  roomsPageSize: config.roomsPageSize,
  uptimeSeconds: () => (Date.now() - startedAt) / 1000,
  metrics: () => metrics.collect(),
  leaderboardSize: config.leaderboardSize,
  // Keyed by address: the answer says whether this address is at its connection limit.
  // Readiness is never reused on a timer: a load balancer acts on it. The primary pushes every
  // change (an address reaching its limit in the turn it does; the coordinator's figures as its
  // 250 ms poll sees them), so a probe is answered here from the pushed state with no round trip;
  // before the first push it asks the primary.
  healthNow: (address) => readiness.now(address),
  health: (address) => health.check(address),
  clientAddress: (req) => intake.clientAddress(req),
  pageMayPlayElsewhere: parseStore(config.store).kind === 'redis',
});
const intake = new Intake(rt, config, router, send);
const relay = new WorkerRelay(rt, slot, intake, send);

/** Other modules (console commands, world API) take the primary's messages they know. */
const extraHandlers: Array<(m: PrimaryToWorker) => boolean> = [];
export function onPrimaryMessage(h: (m: PrimaryToWorker) => boolean): void {
  extraHandlers.push(h);
}
export { rt, send as sendToPrimary };
onPrimaryMessage(adminHandler(rt, send)); // operator console requests

process.on('message', (raw: unknown, handle?: net.Socket) => {
  if (!isMessage<PrimaryToWorker>(raw)) return;
  const m = raw;
  switch (m.t) {
    case 'alive?':
      send({ t: 'alive' });
      return;
    case 'conn':
      // A primary of an older build (a deploy puts this build under it) paces hand-offs by these.
      if (!nodeAcksHandoffs) send({ t: 'conn.ack' });
      // A socket that closed on its way here arrives without its handle: it is closed for the books.
      if (handle) intake.take(m, handle);
      else intake.lost(m);
      return;
    case 'metrics.get':
      // Unanswered, the primary's collection times out for this worker; the reason is logged here.
      registry.getMetricsAsJSON().then(
        (data) => send({ t: 'metrics.json', id: m.id, data }),
        (err: unknown) => log.error({ err }, 'metrics could not be collected'),
      );
      return;
    case 'metrics.result':
      metrics.result(m.id, m.text);
      return;
    case 'health.result':
      health.result(m.id, m.r);
      return;
    case 'health.state':
    case 'health.addresses':
    case 'health.address':
      readiness.apply(m);
      return;
    case 'shutdown':
      void shutdown(m.reason ?? 'shutdown');
      return;
    case 'relay.open':
    case 'relay.in':
    case 'relay.out':
    case 'relay.close':
      return relay.handle(m);
  }
  for (const h of extraHandlers) if (h(m)) return;
});

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ reason, rooms: rt.rooms.size, players: rt.playerCount() }, 'worker shutting down');
  await rt.shutdown(reason);
  // Give byes a moment to leave before the sockets go.
  setTimeout(() => {
    rt.link.stop();
    process.exit(0);
  }, 200);
}

// The primary is gone: nothing can reach this worker any more, so go too (no orphans on the port).
process.on('disconnect', () => {
  void shutdown('shutdown');
  setTimeout(() => process.exit(0), 2000).unref();
});
// Signals go to the whole process group from a terminal: the primary leads the shutdown.
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});

rt.start();
void Promise.all([rt.ready, authLoaded]).then(() => {
  send({ t: 'ready', pid: process.pid });
  log.info({ rooms: rt.rooms.size, games: gameNames() }, 'worker ready');
});
