// /metrics sums every process: the primary asks each worker and the coordinator for its
// registry as JSON and merges them with prom-client's aggregator.
import { AggregatorRegistry } from 'prom-client';
import type { CoordinatorLink } from '../ipc/coordinator-link.js';
import type { MetricsJson } from '../ipc/coordinator-ops.js';
import { registry } from '../metrics/registry.js';
import { sendToChild } from './supervision/child-send.js';
import type { Slot } from './supervision/supervisor.js';

export class MetricsAggregator {
  private seq = 0;
  private readonly waiting = new Map<number, { parts: MetricsJson[]; left: number; done: () => void }>();

  constructor(private readonly running: () => Slot[], private readonly link: CoordinatorLink) {}

  async collect(): Promise<string> {
    const id = ++this.seq;
    const workers = this.running();
    const parts: MetricsJson[] = [await registry.getMetricsAsJSON()];
    const fromWorkers = new Promise<void>((resolve) => {
      this.waiting.set(id, { parts, left: workers.length, done: resolve });
      if (workers.length === 0) resolve();
      // A worker found dead by the send answers nothing: stop waiting for it.
      for (const s of workers) sendToChild(s.worker!, { t: 'metrics.get', id }, undefined, (err) => err && this.received(id, []));
    });
    const fromCoordinator = this.link.request('metrics', {}, 1000).then((m) => void parts.push(m), () => {});
    // A process that does not answer in time is left out rather than stalling the scrape.
    await Promise.race([Promise.all([fromWorkers, fromCoordinator]), new Promise((r) => setTimeout(r, 1500))]);
    this.waiting.delete(id);
    return AggregatorRegistry.aggregate(parts).metrics();
  }

  received(id: number, data: MetricsJson): void {
    const w = this.waiting.get(id);
    if (!w) return;
    w.parts.push(data);
    if (--w.left <= 0) w.done();
  }
}
