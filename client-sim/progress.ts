// The live progress line: what the last second looked like, merged over every child.
import { LatencyHistogram } from './histogram.js';
import type { SimReport } from './stats.js';

export class Progress {
  private rtt = new LatencyHistogram();
  private msgsIn = 0;
  private msgsOut = 0;
  private errors = 0;
  private lastAt = performance.now();

  add(r: SimReport): void {
    if (r.histograms.rtt) this.rtt.addEncoded(r.histograms.rtt);
    this.msgsIn += r.counters.messagesIn ?? 0;
    this.msgsOut += r.counters.messagesOut ?? 0;
    for (const n of Object.values(r.errors)) this.errors += n;
  }

  /** One line for the interval since the previous call; resets the interval. */
  line(elapsedS: number, joined: number, players: number, totalErrors: number): string {
    const now = performance.now();
    const dt = Math.max(0.001, (now - this.lastAt) / 1000);
    const s = `[${elapsedS.toFixed(0)}s] joined ${joined}/${players}  msgs/s in ${kilo(this.msgsIn / dt)} ` +
      `out ${kilo(this.msgsOut / dt)}  rtt p50 ${this.rtt.percentileMs(50).toFixed(1)} ` +
      `p99 ${this.rtt.percentileMs(99).toFixed(1)} ms  errors ${totalErrors} (+${this.errors})`;
    this.lastAt = now;
    this.rtt.reset();
    this.msgsIn = this.msgsOut = this.errors = 0;
    return s;
  }
}

function kilo(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}
