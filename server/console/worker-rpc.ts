// Requests from the primary to worker processes over cluster IPC, matched to their answers by id.
// A worker that does not answer in time fails its request with a code; it never stalls the console.
import { sendToChild } from '../primary/supervision/child-send.js';
import type { Supervisor } from '../primary/supervision/supervisor.js';
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

  constructor(private readonly supervisor: Supervisor) {}

  /** For handle.workerMessageHandlers. */
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

  request<K extends WorkerAdminOp>(slot: number, op: K, args: Args<K> = {} as Args<K>, timeoutMs = 3000): Promise<Result<K>> {
    const w = this.supervisor.slots[slot]?.worker;
    if (!w || !w.isConnected()) return Promise.reject(new CodedError('WORKER_DOWN', `worker ${slot} is not running`));
    return this.replies.request<Result<K>>(
      (id) =>
        sendToChild(w, { t: 'admin.req', id, op, args }, undefined, (err) => {
          if (err) this.replies.fail(id, new CodedError('WORKER_DOWN', `worker ${slot}: ${err.message}`));
        }),
      timeoutMs,
      { code: 'WORKER_TIMEOUT', message: `worker ${slot} did not answer ${op} within ${timeoutMs} ms` },
    );
  }

  /** Asks every worker process that exists now; one entry per slot, failures included. */
  async all<K extends WorkerAdminOp>(op: K, args: Args<K> = {} as Args<K>, timeoutMs = 3000): Promise<Array<PerWorker<Result<K>>>> {
    const slots = this.supervisor.slots.filter((s) => s.worker).map((s) => s.slot);
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
  async values<K extends WorkerAdminOp>(op: K, args: Args<K> = {} as Args<K>, timeoutMs = 3000): Promise<Array<{ worker: number; data: Result<K> }>> {
    const all = await this.all(op, args, timeoutMs);
    return all.filter((r): r is { worker: number; ok: true; data: Result<K> } => r.ok).map((r) => ({ worker: r.worker, data: r.data }));
  }
}
