// Prometheus metrics of one process. The primary sums every process's registry for /metrics,
// so counters carry no per-process label; per-process gauges carry `process`. Names follow the
// Prometheus conventions (docs/OPERATIONS.md lists them): `shoal_` prefix, base units (seconds,
// bytes), `_total` on counters. Hot paths only increment a counter.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const registry = new Registry();

export const connectionsTotal = new Counter({
  name: 'shoal_connections_total', help: 'Game sessions a worker took on, by transport (tcp, ws; relay: a hop to the worker running the room)', labelNames: ['transport'], registers: [registry],
});
export const connectionsOpen = new Gauge({
  name: 'shoal_connections_open', help: 'Game connections open now, by transport', labelNames: ['transport'], registers: [registry],
});
export const messagesIn = new Counter({ name: 'shoal_messages_in_total', help: 'Client messages received', registers: [registry] });
export const messagesOut = new Counter({ name: 'shoal_messages_out_total', help: 'Messages sent to clients', registers: [registry] });
/** Once per encode, never per receiver: sent ÷ encoded is the rooms' encode-once fan-out. */
export const roomEncodes = new Counter({
  name: 'shoal_room_encodes_total', help: 'Messages rooms encoded (once however many players each goes to), by game', labelNames: ['game'], registers: [registry],
});
export const gameErrors = new Counter({
  name: 'shoal_game_errors_total', help: "Throws from a game's hooks and timers (a bug in the game; the room plays on), by game and hook",
  labelNames: ['game', 'hook'], registers: [registry],
});
export const errorsSent = new Counter({
  name: 'shoal_errors_sent_total', help: 'Protocol errors sent to clients, by code', labelNames: ['code'], registers: [registry],
});
export const slowReaderCuts = new Counter({
  name: 'shoal_slow_reader_cuts_total', help: 'Connections cut off for leaving more than maxOutboundBytes unsent, by transport',
  labelNames: ['transport'], registers: [registry],
});
export const tickGap = new Histogram({
  name: 'shoal_tick_gap_seconds', help: "Time between the starts of consecutive ticks of a worker's tick loop, by tick rate (1/hz when on time)",
  labelNames: ['hz'],
  // Fine around 20 Hz's 50 ms, where a late tick shows first; up to the slowest period.
  buckets: [0.01, 0.02, 0.03, 0.04, 0.045, 0.05, 0.055, 0.06, 0.07, 0.08, 0.1, 0.15, 0.25, 0.5, 1],
  registers: [registry],
});
export const tickDuration = new Histogram({
  name: 'shoal_tick_duration_seconds', help: 'Time one room tick takes',
  // Up to 1 s, the tick period at the lowest --hz: a p99 near the period shows on the scale.
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});
export const tickOverruns = new Counter({
  name: 'shoal_tick_overruns_total',
  help: 'Tick loop passes that fell a whole tick period (1/hz) or more behind, by the rooms\' work or a stalled event loop; the missed ticks are skipped',
  registers: [registry],
});
export const rateLimitedMessages = new Counter({
  name: 'shoal_rate_limited_messages_total', help: 'Client messages dropped for going over --max-msg-rate', registers: [registry],
});
export const rateLimitCloses = new Counter({
  name: 'shoal_rate_limit_closes_total',
  help: 'Connections closed (bye "flooding") after --rate-limit-close-after rate-limited messages in a row',
  registers: [registry],
});
export const relayedTotal = new Counter({
  name: 'shoal_relayed_connections_total', help: 'Connections relayed to the worker that runs their room', registers: [registry],
});
/** A game's rooms and seated players in this process, read at scrape time. */
export interface GameCount {
  game: string;
  rooms: number;
  players: number;
}

/** What the rooms and players gauges read at each scrape: a worker's rooms by game (none elsewhere). */
let countByGame: () => Iterable<GameCount> = () => [];

/**
 * The worker's count of its rooms and players by game, read at each scrape (not kept up to date
 * on every join). It lists every game the worker hosts, 0 when it has no room of it, so each
 * game's series exists from the start.
 */
export function countRoomsBy(source: () => Iterable<GameCount>): void {
  countByGame = source;
}

export const roomsGauge = new Gauge({
  name: 'shoal_rooms', help: 'Rooms running, by game', labelNames: ['game'], registers: [registry],
  collect() {
    this.reset();
    for (const c of countByGame()) this.set({ game: c.game }, c.rooms);
  },
});
export const playersGauge = new Gauge({
  name: 'shoal_players', help: 'Players seated (connected or frozen), by the game of their room', labelNames: ['game'], registers: [registry],
  collect() {
    this.reset();
    for (const c of countByGame()) this.set({ game: c.game }, c.players);
  },
});

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
new Gauge({
  name: 'shoal_event_loop_lag_seconds', help: 'Event-loop delay p99 over the last scrape interval, per process',
  labelNames: ['process'], registers: [registry],
  collect() {
    this.set({ process: processLabel }, lastLagMs() / 1000);
  },
});

let processLabel = `pid-${process.pid}`;
let defaultMetricsOn = false;
/**
 * Names this process in per-process metrics (primary, coordinator, worker-N) and starts
 * prom-client's process metrics (CPU seconds, resident memory, heap, ...) under that label, read
 * at scrape time only. The label makes the aggregated /metrics keep one series per process.
 */
export function setProcessLabel(label: string): void {
  processLabel = label;
  if (defaultMetricsOn) return;
  defaultMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'shoal_', labels: { process: label } });
}

// Sampled on a timer, not on scrape, so the console and /metrics read the same recent window.
let lagMs = 0;
setInterval(() => {
  lagMs = lag.percentile(99) / 1e6;
  lag.reset();
}, 5000).unref();

/** Event-loop delay p99 over the last 5 s window, in milliseconds. */
export function lastLagMs(): number {
  return lagMs || lag.percentile(99) / 1e6;
}
