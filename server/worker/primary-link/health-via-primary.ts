// /health and /ready need the primary's view (workers answering, connection books, coordinator):
// a worker serving them asks the primary and waits for its answer.
import type { Readiness } from '../../http/health.js';
import { RequestReply } from '../../../shared/ipc/request-reply.js';
import type { WorkerToPrimary } from '../../ipc/primary-worker.js';

export class HealthViaPrimary {
  private readonly replies = new RequestReply();

  constructor(private readonly send: (m: WorkerToPrimary) => void) {}

  check(address: string, timeoutMs = 3000): Promise<Readiness> {
    return this.replies.request<Readiness>(
      (id) => this.send({ t: 'health.get', id, address }),
      timeoutMs,
      { code: 'HEALTH_TIMEOUT', message: 'the primary did not answer the health check' },
    );
  }

  result(id: number, r: Readiness): void {
    this.replies.resolve(id, r);
  }
}
