// Builds a Directory in-process on a real FileStore in a temp dir, for the directory's unit
// tests. The store can be told to refuse its next appends, as a full disk does (the FileStore
// underneath still runs; only the refusal is injected), and the directory can be reopened from
// what the store holds, as a restarted coordinator would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config/load.js';
import type { Config } from '../../../server/config/schema.js';
import { Directory } from '../../../server/coordinator/directory/directory.js';
import { FileStore } from '../../../server/coordinator/store/file-store.js';
import type { Change, SavedState, StateStore } from '../../../server/coordinator/store/types.js';

/** A FileStore whose appends can be made to fail, like ENOSPC. */
export class FlakyStore implements StateStore {
  /** How many coming appends fail. */
  failAppends = 0;
  constructor(readonly inner: FileStore) {}
  open(): Promise<SavedState> {
    return this.inner.open();
  }
  append(changes: Change[]): void {
    if (this.failAppends > 0) {
      this.failAppends--;
      throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' });
    }
    this.inner.append(changes);
  }
  sync(): Promise<void> {
    return this.inner.sync();
  }
  checkpoint(world: SavedState): Promise<void> {
    return this.inner.checkpoint(world);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface Harness {
  dir: Directory;
  store: FlakyStore;
  config: Config;
  data: string;
  journalErrors: string[];
  /** Closes the store and opens a new Directory on what it holds (a coordinator restart). */
  reopen(): Promise<Directory>;
  /** What a fresh store opened on the data dir loads: the durable truth. */
  stored(): Promise<SavedState>;
  close(): Promise<void>;
}

/** `flags` are command-line settings, e.g. ['--room-capacity', '3']. */
export async function openDirectory(flags: string[] = []): Promise<Harness> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-directory-'));
  const config = loadConfig(['--data', data, ...flags], {}).config;
  const journalErrors: string[] = [];
  const make = async () => {
    const store = new FlakyStore(new FileStore(path.join(data, 'world')));
    const world = await store.open();
    return { store, dir: new Directory(world, store, config, { onJournalError: (file) => journalErrors.push(file) }) };
  };
  const h = { ...(await make()), config, data, journalErrors } as Harness;
  h.reopen = async () => {
    await h.store.close();
    const next = await make();
    h.store = next.store;
    h.dir = next.dir;
    return h.dir;
  };
  h.stored = async () => {
    const s = new FileStore(path.join(data, 'world'));
    const w = await s.open();
    await s.close();
    return w;
  };
  h.close = async () => {
    await h.store.close();
    fs.rmSync(data, { recursive: true, force: true });
  };
  return h;
}

/** The error code a call throws (undefined when it does not throw). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? 'NO_CODE';
  }
  return undefined;
}

/** Joins and returns the seated result; fails the test on a redirect. */
export function seated(r: ReturnType<Directory['join']>) {
  if ('redirect' in r) throw new Error(`expected a seat, got a redirect to ${r.redirect}`);
  return r;
}
