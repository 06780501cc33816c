// Test and bench hook (only with the `worldDebug` setting): runs a world command inside a chosen
// worker process, through that worker's real world client, and returns its answer. So tests and
// the bench drive the real path (room code -> worker -> channel -> coordinator) without a fake.
import type { Channel } from '../../../shared/ipc/channel.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class DebugRelay {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly workers: Map<number, Channel>) {}

  run(slot: number, cmd: unknown, timeoutMs: number): Promise<unknown> {
    const ch = this.workers.get(slot);
    if (!ch || ch.closed) return Promise.reject(new CodedError('NO_WORKER', `no live worker in slot ${slot}`));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CodedError('DEBUG_TIMEOUT', `worker ${slot} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ch.push('world.debug', { id, cmd });
    });
  }

  done(a: { id: number; ok: boolean; value?: unknown; error?: { code: string; message: string } }): void {
    const p = this.pending.get(a.id);
    if (!p) return;
    this.pending.delete(a.id);
    clearTimeout(p.timer);
    if (a.ok) p.resolve(a.value ?? null);
    else p.reject(new CodedError(a.error?.code ?? 'INTERNAL', a.error?.message ?? 'debug command failed'));
  }
}
