// Start step 4: serve the op table on the coordinator's Unix socket, one typed channel per peer
// (the primary, each worker). An answer to an op that wrote is held until the write is as durable
// as the settings promise (see `answerAfterWrites`); a worker's channel closing frees its slot.
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { Channel } from '../../../shared/ipc/channel.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { CoordinatorChannel, CoordinatorOp } from '../../ipc/coordinator-ops.js';
import type { CoordinatorHandlers, OpContext } from '../ops/context.js';
import type { FileStore } from '../store/file-store.js';
import { writesAcked, writesAckedBeforeFsync } from '../store/store-metrics.js';

type Handler = (a: unknown, c: CoordinatorChannel) => unknown;

/**
 * With --fsync-ms 0 an answer to an operation that wrote waits for its fsync; every write of one
 * event-loop turn shares that fsync (group commit), so throughput stays reasonable.
 */
function answerAfterWrites(store: FileStore, config: Config) {
  const syncEachWrite = config.fsyncMs === 0;
  return (fn: Handler, args: unknown, c: CoordinatorChannel): unknown => {
    const before = store.appends;
    const r = fn(args, c);
    const settle = (v: unknown): unknown => {
      if (store.appends === before) return v;
      const mine = store.appends;
      const ack = () => {
        writesAcked.inc();
        if (store.syncedAppends < mine) writesAckedBeforeFsync.inc();
        return v;
      };
      return syncEachWrite ? store.durable().then(ack) : ack();
    };
    return r instanceof Promise ? r.then(settle) : settle(r);
  };
}

export function listen(socketPath: string, ops: CoordinatorHandlers, ctx: OpContext, store: FileStore, log: Logger, ready: () => void): net.Server {
  const { dir, workers, channels } = ctx;
  const answer = answerAfterWrites(store, ctx.config);
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
        return answer(ops[op as CoordinatorOp] as Handler, args, c);
      },
      null,
      (c) => {
        channels.delete(c);
        const slot = c.peer.slot as number | undefined;
        if (slot !== undefined && workers.get(slot) === c) {
          workers.delete(slot);
          dir.workerLeft(slot);
          log.warn({ slot }, 'worker channel closed');
        }
      },
    );
    channels.add(ch);
  });
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    log.info({ socket: socketPath }, 'coordinator listening');
    ready();
  });
  return server;
}
