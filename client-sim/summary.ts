// The simulator's final summary: derived figures from the merged stats, as JSON and as text.
import type { LatencySummary } from './histogram.js';
import type { SimOptions } from './options.js';
import type { Counters, SimStats } from './stats.js';

export interface SimSummary {
  options: SimOptions;
  /** Seconds the measurement window lasted. */
  windowSeconds: number;
  /** Most players joined at once, as reported by the children. */
  peakJoined: number;
  states: { delivered: number; expected: number; ratio: number; ticksSkipped: number };
  stateGapMs: LatencySummary;
  rttMs: LatencySummary & { timeouts: number };
  connectMs: LatencySummary & { ok: number; failed: number };
  resumeMs: LatencySummary & { ok: number; failed: number };
  churn: { leaves: number; rejoins: number; drops: number; closedUnexpectedly: number };
  chat: { sent: number; received: number };
  traffic: {
    messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number;
    messagesInPerSec: number; messagesOutPerSec: number; bytesInPerSec: number; bytesOutPerSec: number;
  };
  errors: Record<string, number>;
  counters: Counters;
}

export function summarize(opts: SimOptions, stats: SimStats, windowSeconds: number, peakJoined: number): SimSummary {
  const c = stats.counters;
  const per = (n: number) => (windowSeconds > 0 ? Math.round(n / windowSeconds) : 0);
  return {
    options: opts,
    windowSeconds: Math.round(windowSeconds * 100) / 100,
    peakJoined,
    states: {
      delivered: c.statesDelivered,
      expected: c.statesExpected,
      // Delivered can exceed expected by a tick at session edges; cap the ratio at 1.
      ratio: c.statesExpected > 0 ? Math.min(1, c.statesDelivered / c.statesExpected) : 0,
      ticksSkipped: c.ticksSkipped,
    },
    stateGapMs: stats.hist.stateGap.summary(),
    rttMs: { ...stats.hist.rtt.summary(), timeouts: c.pingTimeouts },
    connectMs: { ...stats.hist.connect.summary(), ok: c.connectsOk, failed: c.connectsFailed },
    resumeMs: { ...stats.hist.resume.summary(), ok: c.resumesOk, failed: c.resumesFailed },
    churn: { leaves: c.leaves, rejoins: c.rejoins, drops: c.drops, closedUnexpectedly: c.closedUnexpectedly },
    chat: { sent: c.chatsSent, received: c.chatsReceived },
    traffic: {
      messagesIn: c.messagesIn, messagesOut: c.messagesOut, bytesIn: c.bytesIn, bytesOut: c.bytesOut,
      // Traffic counts the whole run (ramp included); rates use the window as the divisor, so they
      // are an upper bound for short windows.
      messagesInPerSec: per(c.messagesIn), messagesOutPerSec: per(c.messagesOut),
      bytesInPerSec: per(c.bytesIn), bytesOutPerSec: per(c.bytesOut),
    },
    errors: Object.fromEntries([...stats.errors].sort((a, b) => b[1] - a[1])),
    counters: { ...c },
  };
}

export function formatSummary(s: SimSummary): string {
  const o = s.options;
  const lat = (l: LatencySummary) => `p50 ${l.p50} ms  p99 ${l.p99} ms  max ${l.max} ms  (n=${l.count})`;
  const errs = Object.entries(s.errors);
  return [
    `shoal client-sim: ${o.players} players (${o.transport}), rooms of ${o.roomSize || 'server-chosen'}, ` +
      `${o.procs} processes, ${s.windowSeconds} s measured, against ${o.host}:${o.port}`,
    `  joined (peak)     ${s.peakJoined} / ${o.players}`,
    `  states delivered  ${s.states.delivered} of ${s.states.expected} expected at the tick rate ` +
      `(${(s.states.ratio * 100).toFixed(2)}%), ticks skipped ${s.states.ticksSkipped}`,
    `  state gap         ${lat(s.stateGapMs)}`,
    `  ping RTT          ${lat(s.rttMs)}, timeouts ${s.rttMs.timeouts}`,
    `  connect→welcome   ${lat(s.connectMs)}, ok ${s.connectMs.ok}, failed ${s.connectMs.failed}`,
    `  resume            ${lat(s.resumeMs)}, ok ${s.resumeMs.ok}, failed ${s.resumeMs.failed}`,
    `  churn             leaves ${s.churn.leaves}, rejoins ${s.churn.rejoins}, drops ${s.churn.drops}, ` +
      `unexpected closes ${s.churn.closedUnexpectedly}`,
    `  chat              sent ${s.chat.sent}, received ${s.chat.received}`,
    `  traffic           in ${s.traffic.messagesIn} msgs / ${mb(s.traffic.bytesIn)}, ` +
      `out ${s.traffic.messagesOut} msgs / ${mb(s.traffic.bytesOut)} ` +
      `(${s.traffic.messagesInPerSec} msgs/s in, ${s.traffic.messagesOutPerSec} msgs/s out)`,
    `  errors            ${errs.length ? errs.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`,
  ].join('\n');
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}
