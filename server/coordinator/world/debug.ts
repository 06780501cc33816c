// Test and bench hook (only with the `worldDebug` setting): runs a world command inside a chosen
// worker process, through that worker's real world client, and returns its answer. So tests and
// the bench drive the real path (room code -> worker -> channel -> coordinator) without a fake.
// The command goes out as a `world.debug` push; the worker answers with the `world.debug.done` op.
import type { CoordinatorChannel, DebugCmd, DebugDone } from '../../ipc/coordinator-ops.js';
import { RequestReply } from '../../../shared/ipc/request-reply.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export class DebugRelay {
  private readonly replies = new RequestReply();

  constructor(private readonly workers: Map<number, CoordinatorChannel>) {}

  run(slot: number, cmd: DebugCmd, timeoutMs: number): Promise<unknown> {
    const ch = this.workers.get(slot);
    if (!ch || ch.closed) return Promise.reject(new CodedError('NO_WORKER', `no live worker in slot ${slot}`));
    return this.replies.request(
      (id) => ch.push('world.debug', { id, cmd }),
      timeoutMs,
      { code: 'DEBUG_TIMEOUT', message: `worker ${slot} did not answer within ${timeoutMs} ms` },
    );
  }

  done(a: DebugDone): void {
    if (a.ok) this.replies.resolve(a.id, a.value ?? null);
    else this.replies.fail(a.id, new CodedError(a.error?.code ?? 'INTERNAL', a.error?.message ?? 'debug command failed'));
  }
}
