// /health and /ready need the primary's view (workers answering, connection books, coordinator):
// a worker serving them asks the primary and waits for its answer.
import type { Readiness } from '../../http/health.js';

export class HealthViaPrimary {
  private seq = 0;
  private readonly waiting = new Map<number, (r: Readiness) => void>();

  constructor(private readonly send: (m: object) => void) {}

  check(address: string, timeoutMs = 3000): Promise<Readiness> {
    return new Promise<Readiness>((resolve, reject) => {
      const id = ++this.seq;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the primary did not answer the health check'));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.send({ t: 'health.get', id, address });
    });
  }

  result(id: number, r: Readiness): void {
    this.waiting.get(id)?.(r);
    this.waiting.delete(id);
  }
}
