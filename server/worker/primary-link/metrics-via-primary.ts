// /metrics sums every process, which only the primary can reach: a worker serving the request asks
// the primary to collect and waits for the text.
import { RequestReply } from '../../../shared/ipc/request-reply.js';
import type { WorkerToPrimary } from '../../ipc/primary-worker.js';

export class MetricsViaPrimary {
  private readonly replies = new RequestReply();

  constructor(private readonly send: (m: WorkerToPrimary) => void) {}

  collect(timeoutMs = 3000): Promise<string> {
    return this.replies.request<string>(
      (id) => this.send({ t: 'metrics.collect', id }),
      timeoutMs,
      { code: 'METRICS_TIMEOUT', message: 'metrics collection timed out' },
    );
  }

  result(id: number, text: string): void {
    this.replies.resolve(id, text);
  }
}
