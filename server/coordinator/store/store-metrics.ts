// The coordinator store's counters, for /metrics: how often the log is fsynced, and how many
// answers to writes left before or after their fsync (with --fsync-ms 0, never before).
import { Counter, Gauge } from 'prom-client';
import { registry } from '../../metrics/registry.js';

export const storeFsyncs = new Counter({ name: 'shoal_store_fsyncs_total', help: 'fsyncs of the coordinator log', registers: [registry] });
export const storeWriteFailures = new Counter({
  name: 'shoal_store_write_failures_total', help: 'Coordinator log writes or fsyncs that failed, by error code', labelNames: ['code'], registers: [registry],
});
export const writesAcked = new Counter({
  name: 'shoal_store_writes_acked_total', help: 'Answers to coordinator operations that wrote to the log', registers: [registry],
});
export const writesAckedBeforeFsync = new Counter({
  name: 'shoal_store_writes_acked_before_fsync_total',
  help: 'Of those, answers that left before their write was fsynced (0 with --fsync-ms 0)',
  registers: [registry],
});
export const storeHealthy = new Gauge({
  name: 'shoal_store_healthy', help: '1 while the coordinator store writes, 0 after a failed write until one succeeds', registers: [registry],
});
