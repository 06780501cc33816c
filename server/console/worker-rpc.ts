// Requests from the primary to worker processes over cluster IPC, matched to their answers by id.
// A worker that does not answer in time fails its request with a code; it never stalls the console.
import type { ConsoleHost } from './host.js';
import { CodedError } from '../../shared/errors/coded-error.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export type PerWorker<T> = { worker: number; ok: true; data: T } | { worker: number; ok: false; error: { code: string; message: string } };

export class WorkerRpc {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  /** Called when a worker process has started and restored its rooms. */
  onHello: (slot: number) => void = () => {};

  constructor(private readonly host: Pick<ConsoleHost, 'sendToWorker' | 'workerSlots'>) {}

  /** For host.onWorkerMessage. */
  onMessage(slot: number, m: { t: string; id?: number; ok?: boolean; data?: unknown; error?: { code: string; message: string } }): boolean {
    if (m.t === 'admin.res') {
      const p = this.pending.get(m.id!);
      if (p) {
        this.pending.delete(m.id!);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.data);
        else p.reject(new CodedError(m.error?.code ?? 'INTERNAL', `worker ${slot}: ${m.error?.message ?? 'failed'}`));
      }
      return true;
    }
    if (m.t === 'admin.hello') {
      this.onHello(slot);
      return true;
    }
    return false;
  }

  request<T>(slot: number, op: string, args: unknown = {}, timeoutMs = 3000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CodedError('WORKER_TIMEOUT', `worker ${slot} did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const sent = this.host.sendToWorker(slot, { t: 'admin.req', id, op, args }, (err) => {
        if (!err || !this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(new CodedError('WORKER_DOWN', `worker ${slot}: ${err.message}`));
      });
      if (!sent) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new CodedError('WORKER_DOWN', `worker ${slot} is not running`));
      }
    });
  }

  /** Asks every worker process that exists now; one entry per slot, failures included. */
  async all<T>(op: string, args: unknown = {}, timeoutMs = 3000): Promise<Array<PerWorker<T>>> {
    const slots = this.host.workerSlots().filter((s) => s.pid !== null).map((s) => s.slot);
    return Promise.all(
      slots.map((slot) =>
        this.request<T>(slot, op, args, timeoutMs).then(
          (data): PerWorker<T> => ({ worker: slot, ok: true, data }),
          (err: CodedError): PerWorker<T> => ({ worker: slot, ok: false, error: { code: err.code, message: err.message } }),
        ),
      ),
    );
  }

  /** The answers of every worker that answered. */
  async values<T>(op: string, args: unknown = {}, timeoutMs = 3000): Promise<Array<{ worker: number; data: T }>> {
    const all = await this.all<T>(op, args, timeoutMs);
    return all.filter((r): r is { worker: number; ok: true; data: T } => r.ok).map((r) => ({ worker: r.worker, data: r.data }));
  }
}
