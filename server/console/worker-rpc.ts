// Requests from the primary to worker processes over cluster IPC, matched to their answers by id.
// A worker that does not answer in time fails its request with a code; it never stalls the console.
import type { ConsoleHost } from './host.js';
import { CodedError } from '../../shared/errors/coded-error.js';
import { RequestReply } from '../../shared/ipc/request-reply.js';
import type { WorkerAdminOp, WorkerAdminOps, WorkerToPrimary } from '../ipc/primary-worker.js';

type Args<K extends WorkerAdminOp> = WorkerAdminOps[K][0];
type Result<K extends WorkerAdminOp> = WorkerAdminOps[K][1];

export type PerWorker<T> = { worker: number; ok: true; data: T } | { worker: number; ok: false; error: { code: string; message: string } };

export class WorkerRpc {
  private readonly replies = new RequestReply();
  /** Called when a worker process has started and restored its rooms. */
  onHello: (slot: number) => void = () => {};

  constructor(private readonly host: Pick<ConsoleHost, 'sendToWorker' | 'workerSlots'>) {}

  /** For host.onWorkerMessage. */
  onMessage(slot: number, m: WorkerToPrimary): boolean {
    if (m.t === 'admin.res') {
      if (m.ok) this.replies.resolve(m.id, m.data);
      else this.replies.fail(m.id, new CodedError(m.error?.code ?? 'INTERNAL', `worker ${slot}: ${m.error?.message ?? 'failed'}`));
      return true;
    }
    if (m.t === 'admin.hello') {
      this.onHello(slot);
      return true;
    }
    return false;
  }

  request<K extends WorkerAdminOp>(slot: number, op: K, args: Args<K> = {}, timeoutMs = 3000): Promise<Result<K>> {
    return this.replies.request<Result<K>>(
      (id) => {
        const sent = this.host.sendToWorker(slot, { t: 'admin.req', id, op, args }, (err) => {
          if (err) this.replies.fail(id, new CodedError('WORKER_DOWN', `worker ${slot}: ${err.message}`));
        });
        if (!sent) throw new CodedError('WORKER_DOWN', `worker ${slot} is not running`);
      },
      timeoutMs,
      { code: 'WORKER_TIMEOUT', message: `worker ${slot} did not answer ${op} within ${timeoutMs} ms` },
    );
  }

  /** Asks every worker process that exists now; one entry per slot, failures included. */
  async all<K extends WorkerAdminOp>(op: K, args: Args<K> = {}, timeoutMs = 3000): Promise<Array<PerWorker<Result<K>>>> {
    const slots = this.host.workerSlots().filter((s) => s.pid !== null).map((s) => s.slot);
    return Promise.all(
      slots.map((slot) =>
        this.request(slot, op, args, timeoutMs).then(
          (data): PerWorker<Result<K>> => ({ worker: slot, ok: true, data }),
          (err: CodedError): PerWorker<Result<K>> => ({ worker: slot, ok: false, error: { code: err.code, message: err.message } }),
        ),
      ),
    );
  }

  /** The answers of every worker that answered. */
  async values<K extends WorkerAdminOp>(op: K, args: Args<K> = {}, timeoutMs = 3000): Promise<Array<{ worker: number; data: Result<K> }>> {
    const all = await this.all(op, args, timeoutMs);
    return all.filter((r): r is { worker: number; ok: true; data: Result<K> } => r.ok).map((r) => ({ worker: r.worker, data: r.data }));
  }
}
