// Latency histograms that cross process boundaries. Values are recorded in microseconds (integers,
// as HDR histograms need) and read back in milliseconds. A child process sends what it recorded
// since its last report as a compressed base64 string; the parent adds those up, so percentiles
// are of every sample from every process, not an average of per-process percentiles.
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** One hour in microseconds: nothing the tools time takes longer. */
const HIGHEST_US = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private h: Histogram;

  constructor(h?: Histogram) {
    this.h = h ?? newHistogram();
  }

  /** Records one duration in milliseconds (fractions kept to the microsecond). */
  recordMs(ms: number): void {
    const us = Math.round(ms * 1000);
    this.h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
  }

  get count(): number {
    return this.h.totalCount;
  }

  percentileMs(p: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    const n = this.h.totalCount;
    if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return {
      count: n,
      p50: round3(this.percentileMs(50)),
      p90: round3(this.percentileMs(90)),
      p99: round3(this.percentileMs(99)),
      p999: round3(this.percentileMs(99.9)),
      max: round3(this.h.maxValue / 1000),
      mean: round3(this.h.mean / 1000),
    };
  }

  /** Adds every sample of another histogram into this one. */
  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  /** Adds samples sent by another process (see encode). */
  addEncoded(encoded: string): void {
    if (encoded) this.h.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
  }

  /** The samples as a compact string for IPC; empty when there are none. */
  encode(): string {
    return this.h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(this.h);
  }

  reset(): void {
    this.h.reset();
  }

  static decode(encoded: string): LatencyHistogram {
    const h = new LatencyHistogram();
    h.addEncoded(encoded);
    return h;
  }
}

function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
