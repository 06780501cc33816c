// Start step 4: serve the op table on the coordinator's Unix socket, one typed channel per peer
// (the primary, each worker). An answer to an op that wrote is held until the write is as durable
// as the settings promise (see `answerAfterWrites`); a worker's channel closing frees its slot.
// With --store redis every such answer waits for Redis's acknowledgement (the store writes behind).
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { Channel } from '../../../shared/ipc/channel.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { CoordinatorChannel, CoordinatorOp } from '../../ipc/coordinator-ops.js';
import type { CoordinatorHandlers, OpContext } from '../ops/context.js';
import type { AckedWrites } from '../store/types.js';
import { writesAcked, writesAckedBeforeFsync } from '../store/store-metrics.js';
import { QuickBoardPush } from './quick-board-push.js';

type Handler = (a: unknown, c: CoordinatorChannel) => unknown;

/** When an answer to an op that wrote may leave (start/main.ts decides from the store and settings). */
export interface AnswerPolicy {
  /** Each answer to an op that wrote waits until its write is durable (--fsync-ms 0; always with Redis). */
  waitEachWrite: boolean;
  /**
   * A `scores` op that wrote nothing (a worker resending a score the coordinator already holds)
   * still waits for what is not acknowledged yet: with Redis, a write that failed on its way is
   * kept and sent again, and the worker must keep its score until that write lands.
   */
  scoresWaitForBacklog: boolean;
}

/**
 * An answer to an op that wrote waits for the store as the policy says; every write of one
 * event-loop turn shares that wait (group commit: one fsync, or one MULTI), so throughput stays
 * reasonable.
 */
function answerAfterWrites(store: AckedWrites, policy: AnswerPolicy) {
  const { waitEachWrite, scoresWaitForBacklog } = policy;
  return (op: string, fn: Handler, args: unknown, c: CoordinatorChannel): unknown => {
    const before = store.appends;
    const r = fn(args, c);
    const settle = (v: unknown): unknown => {
      if (store.appends === before) {
        if (scoresWaitForBacklog && op === 'scores' && store.syncedAppends < store.appends) return store.durable().then(() => v);
        return v;
      }
      const mine = store.appends;
      const ack = () => {
        writesAcked.inc();
        if (store.syncedAppends < mine) writesAckedBeforeFsync.inc();
        return v;
      };
      return waitEachWrite ? store.durable().then(ack) : ack();
    };
    return r instanceof Promise ? r.then(settle) : settle(r);
  };
}

export function listen(socketPath: string, ops: CoordinatorHandlers, ctx: OpContext, store: AckedWrites, policy: AnswerPolicy, log: Logger, ready: () => void): net.Server {
  const { dir, workers, channels } = ctx;
  const answer = answerAfterWrites(store, policy);
  // The primary places quick-joins from this board (start/quick-board-push.ts).
  const board = new QuickBoardPush(dir, () => [...channels].find((c) => c.peer.role === 'primary' && !c.closed));
  const served = (op: string, fn: Handler, args: unknown, c: CoordinatorChannel): unknown => {
    const r = answer(op, fn, args, c);
    board.afterOp(op);
    if (r instanceof Promise) void r.then(() => board.afterOp(op), () => board.afterOp(op));
    return r;
  };
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  const server = net.createServer((sock) => {
    const ch: CoordinatorChannel = new Channel(
      sock,
      (op, args, c) => {
        if (!Object.hasOwn(ops, op)) throw new CodedError('UNKNOWN_OP', `unknown coordinator op ${op}`);
        // The wire's edge: the table checked every handler against CoordinatorOps; the arguments
        // are what the peer sent, and each handler checks what it relies on.
        return served(op, ops[op as CoordinatorOp] as Handler, args, c);
      },
      null,
      (c) => {
        channels.delete(c);
        const slot = c.peer.slot as number | undefined;
        if (slot !== undefined && workers.get(slot) === c) {
          workers.delete(slot);
          dir.workerLeft(slot);
          board.changed();
          log.warn({ slot }, 'worker channel closed');
        }
      },
    );
    channels.add(ch);
  });
  server.on('close', () => board.stop());
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    log.info({ socket: socketPath }, 'coordinator listening');
    ready();
  });
  return server;
}
