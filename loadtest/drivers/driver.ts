// The parent side of the load drivers: forks one child per core, splits the connections among
// them, and gathers what they report.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { LatencyHistogram } from '../../client-sim/histogram.js';
import type { ConnectJob, DriverToParent, ParentToDriver, PingJob } from './messages.js';

const CHILD = fileURLToPath(new URL('./driver-child.js', import.meta.url));

export interface ReadyTotals {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  connectMs: LatencyHistogram;
  /** Wall time until the slowest child had opened all of its connections. */
  elapsedMs: number;
}

export interface PingTotals {
  roundTrips: number;
  /** Round trips a second: each child's count over its own window, summed. */
  rate: number;
  rtt: LatencyHistogram;
}

export class DriverGroup {
  private readonly children: ChildProcess[] = [];
  private readonly inbox: DriverToParent[][] = [];
  private waiters: Array<() => void> = [];

  constructor(job: PingJob | ConnectJob, procs = os.availableParallelism()) {
    const n = Math.max(1, Math.min(procs, job.connections));
    for (let i = 0; i < n; i++) {
      const share = Math.floor(job.connections / n) + (i < job.connections % n ? 1 : 0);
      const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.inbox.push([]);
      child.on('message', (m: DriverToParent) => {
        this.inbox[i]!.push(m);
        for (const w of this.waiters.splice(0)) w();
      });
      child.on('exit', () => {
        for (const w of this.waiters.splice(0)) w();
      });
      this.children.push(child);
      this.tell(child, { type: 'job', job: { ...job, connections: share } });
    }
  }

  async ready(timeoutMs: number): Promise<ReadyTotals> {
    const rs = await this.collect('ready', timeoutMs);
    const t: ReadyTotals = { ok: 0, failed: 0, errors: {}, connectMs: new LatencyHistogram(), elapsedMs: 0 };
    for (const r of rs) {
      t.ok += r.ok;
      t.failed += r.failed;
      for (const [k, v] of Object.entries(r.errors)) t.errors[k] = (t.errors[k] ?? 0) + v;
      t.connectMs.addEncoded(r.connectMs);
      t.elapsedMs = Math.max(t.elapsedMs, r.elapsedMs);
    }
    return t;
  }

  measure(): void {
    for (const c of this.children) this.tell(c, { type: 'measure' });
  }

  /** Stops the children; with pings running, gathers their counts. */
  async stop(expectResults: boolean): Promise<PingTotals | null> {
    for (const c of this.children) this.tell(c, { type: 'stop' });
    let totals: PingTotals | null = null;
    if (expectResults) {
      const rs = await this.collect('result', 10_000);
      totals = { roundTrips: 0, rate: 0, rtt: new LatencyHistogram() };
      for (const r of rs) {
        totals.roundTrips += r.roundTrips;
        totals.rate += r.roundTrips / r.seconds;
        totals.rtt.addEncoded(r.rtt);
      }
    }
    await Promise.all(this.children.map((c) => exited(c, 3000)));
    return totals;
  }

  kill(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  private tell(c: ChildProcess, m: ParentToDriver): void {
    if (c.connected) c.send(m);
  }

  /** One message of `type` from every live child, or whatever came before the timeout. */
  private async collect<T extends DriverToParent['type']>(type: T, timeoutMs: number): Promise<Extract<DriverToParent, { type: T }>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.inbox.map((box) => box.find((m) => m.type === type));
      const pending = this.children.filter((c, i) => !got[i] && c.exitCode === null && c.signalCode === null);
      if (pending.length === 0 || Date.now() > deadline) {
        for (const box of this.inbox) {
          const i = box.findIndex((m) => m.type === type);
          if (i >= 0) box.splice(i, 1);
        }
        return got.filter((m): m is Extract<DriverToParent, { type: T }> => m !== undefined);
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.max(10, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }
}

function exited(c: ChildProcess, ms: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      resolve();
    }, ms);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
