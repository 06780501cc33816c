// Start step 1: open the world store under <data>/world. Its health changes are logged here; what
// to do once writes work again is given later (the directory, made from what the store loaded).
// Damage found on load is thrown (StoreDamage) for main.ts to report: it is not retried.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { FileStore } from '../store/file-store.js';
import type { SavedState } from '../store/types.js';

export interface OpenedStore {
  store: FileStore;
  /** What the store holds: the last checkpoint with its logs applied. */
  saved: SavedState;
  /** Sets what runs each time the store can write again (after a full disk, say). */
  whenWritable(fn: () => void): void;
}

export async function openStore(config: Config, log: Logger): Promise<OpenedStore> {
  let writable: (() => void) | undefined;
  const store = new FileStore(path.join(config.data, 'world'), (h) => {
    if (h.ok) {
      log.info({ code: 'STORE_WRITABLE' }, 'store writes again');
      writable?.();
    } else {
      log.error({ code: 'STORE_UNWRITABLE', reason: h.reason }, `store cannot write (${h.reason}): joins are refused until it can`);
    }
  });
  const saved = await store.open();
  const torn = store.stats.torn;
  if (torn) log.warn({ code: 'STORE_TORN_TAIL', file: torn.file, offset: torn.offset, bytes: torn.bytes }, `cut a torn last record off ${torn.file} at offset ${torn.offset} (${torn.bytes} bytes)`);
  return {
    store,
    saved,
    whenWritable: (fn) => {
      writable = fn;
    },
  };
}
