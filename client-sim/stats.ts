// What one process of simulated players measured, and how reports from many processes add up.
// A child keeps a SimStats, sends `takeReport()` (everything since its last report) over IPC,
// and the parent folds each report into its own SimStats with `addReport()`.
import { LatencyHistogram } from './histogram.js';

export const COUNTER_NAMES = [
  'connectsOk', 'connectsFailed', 'statesDelivered', 'statesExpected', 'ticksSkipped',
  'messagesIn', 'messagesOut', 'bytesIn', 'bytesOut', 'inputsSent', 'pingsSent', 'pingTimeouts',
  'chatsSent', 'chatsReceived', 'topsAsked', 'leaves', 'rejoins', 'drops', 'resumesOk',
  'resumesFailed', 'closedUnexpectedly',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

export const HISTOGRAM_NAMES = ['rtt', 'stateGap', 'connect', 'resume'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

/** One child's report: deltas since its previous report, plus the current gauge. */
export interface SimReport {
  /** Players joined right now in that process. */
  joined: number;
  counters: Partial<Counters>;
  errors: Record<string, number>;
  histograms: Partial<Record<HistogramName, string>>;
}

export function zeroCounters(): Counters {
  const c = {} as Counters;
  for (const k of COUNTER_NAMES) c[k] = 0;
  return c;
}

export class SimStats {
  readonly counters = zeroCounters();
  readonly errors = new Map<string, number>();
  readonly hist: Record<HistogramName, LatencyHistogram> = {
    rtt: new LatencyHistogram(),
    stateGap: new LatencyHistogram(),
    connect: new LatencyHistogram(),
    resume: new LatencyHistogram(),
  };
  /** Counts since the last takeReport, so reports carry deltas. */
  private sinceReport = zeroCounters();
  private errorsSinceReport = new Map<string, number>();
  private histSinceReport: Record<HistogramName, LatencyHistogram> = {
    rtt: new LatencyHistogram(),
    stateGap: new LatencyHistogram(),
    connect: new LatencyHistogram(),
    resume: new LatencyHistogram(),
  };

  count(name: CounterName, n = 1): void {
    this.counters[name] += n;
    this.sinceReport[name] += n;
  }

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    this.errorsSinceReport.set(code, (this.errorsSinceReport.get(code) ?? 0) + 1);
  }

  record(name: HistogramName, ms: number): void {
    this.hist[name].recordMs(ms);
    this.histSinceReport[name].recordMs(ms);
  }

  /** Everything recorded since the previous call, for the parent. */
  takeReport(joined: number): SimReport {
    const counters: Partial<Counters> = {};
    for (const k of COUNTER_NAMES) {
      if (this.sinceReport[k] !== 0) counters[k] = this.sinceReport[k];
      this.sinceReport[k] = 0;
    }
    const histograms: Partial<Record<HistogramName, string>> = {};
    for (const k of Object.keys(this.histSinceReport) as HistogramName[]) {
      const h = this.histSinceReport[k];
      if (h.count > 0) histograms[k] = h.encode();
      h.reset();
    }
    const errors = Object.fromEntries(this.errorsSinceReport);
    this.errorsSinceReport.clear();
    return { joined, counters, errors, histograms };
  }

  /** Folds a child's report into these totals. */
  addReport(r: SimReport): void {
    for (const [k, v] of Object.entries(r.counters) as [CounterName, number][]) this.counters[k] += v;
    for (const [code, n] of Object.entries(r.errors)) this.errors.set(code, (this.errors.get(code) ?? 0) + n);
    for (const [k, enc] of Object.entries(r.histograms) as [HistogramName, string][]) this.hist[k].addEncoded(enc);
  }
}
