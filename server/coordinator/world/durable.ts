// world/ owns the World API's primitives on the coordinator: durable records (this file), leased
// locks and semaphores, values, queues, subscribers and the debug relay. ops/world-ops.ts validates
// the `world.*` ops and calls these; nothing here imports the op table.
// The world's durable records with the file store, as generic `kv` changes in the coordinator's
// store (with --store redis the world keeps its own keys instead: redis/). One namespace per kind,
// so a snapshot can tell them apart:
//   w.val    name -> value                  (counters and values)
//   w.fence  lock name -> last fencing token (never goes backwards across restarts)
//   w.sfence semaphore name -> last token
//   w.q      "<queue>#<seq>" -> item        (queued, not yet acked)
//   w.qseq   queue name -> last sequence number used
import type { Directory } from '../directory/directory.js';

export const NS = {
  val: 'w.val',
  fence: 'w.fence',
  semFence: 'w.sfence',
  queue: 'w.q',
  queueSeq: 'w.qseq',
} as const;

export class Durable {
  constructor(private readonly dir: Directory) {}

  get(ns: string, key: string): unknown {
    return this.dir.ix.kv.get(ns)?.get(key);
  }

  has(ns: string, key: string): boolean {
    return this.dir.ix.kv.get(ns)?.has(key) ?? false;
  }

  /** Written to the store before the caller answers: it survives a crash of the coordinator. */
  put(ns: string, key: string, value: unknown): void {
    this.dir.commit([{ k: 'kv', ns, key, value }]);
  }

  del(ns: string, key: string): void {
    if (this.has(ns, key)) this.dir.commit([{ k: 'kvDel', ns, key }]);
  }

  entries(ns: string): Array<[string, unknown]> {
    return [...(this.dir.ix.kv.get(ns) ?? [])];
  }
}
