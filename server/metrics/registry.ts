// Prometheus metrics of one process. The primary sums every process's registry for /metrics,
// so counters carry no per-process label; per-process gauges carry `process`.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const registry = new Registry();

export const connectionsTotal = new Counter({
  name: 'shoal_connections_total', help: 'Connections accepted, by transport', labelNames: ['transport'], registers: [registry],
});
export const connectionsOpen = new Gauge({
  name: 'shoal_connections_open', help: 'Game connections open now, by transport', labelNames: ['transport'], registers: [registry],
});
export const messagesIn = new Counter({ name: 'shoal_messages_in_total', help: 'Client messages received', registers: [registry] });
export const messagesOut = new Counter({ name: 'shoal_messages_out_total', help: 'Messages sent to clients', registers: [registry] });
export const errorsSent = new Counter({
  name: 'shoal_errors_sent_total', help: 'Protocol errors sent to clients, by code', labelNames: ['code'], registers: [registry],
});
export const slowReaderCuts = new Counter({
  name: 'shoal_slow_reader_cuts_total', help: 'Connections cut off for leaving more than maxOutboundBytes unsent, by transport',
  labelNames: ['transport'], registers: [registry],
});
export const tickDuration = new Histogram({
  name: 'shoal_tick_duration_seconds', help: 'Time one room tick takes',
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  registers: [registry],
});
export const relayedTotal = new Counter({
  name: 'shoal_relayed_connections_total', help: 'Connections relayed to the worker that runs their room', registers: [registry],
});
export const roomsGauge = new Gauge({ name: 'shoal_rooms', help: 'Rooms running', registers: [registry] });
export const playersGauge = new Gauge({ name: 'shoal_players', help: 'Players seated (connected or frozen)', registers: [registry] });

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
export function setProcessLabel(label: string): void {
  processLabel = label;
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
