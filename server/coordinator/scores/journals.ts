// scores/ owns reading the worker score journals at the coordinator's start (the directory applies
// each one). At start the coordinator applies every worker score journal it finds (server/worker/
// score-journal.ts): scores shown by workers that died while it was away. Journals of slots this
// server no longer runs have no worker to empty them, so they are removed once applied (written
// to the log first).
import fs from 'node:fs';
import path from 'node:path';
import type { Directory } from '../directory/directory.js';
import { journalDir, journalSlot } from '../../scores/score-journal.js';

/** Returns how many player scores were found in journals. */
export function replayJournals(dir: Directory, data: string, workers: number): number {
  let names: string[];
  try {
    names = fs.readdirSync(journalDir(data));
  } catch {
    return 0; // no journal yet
  }
  let n = 0;
  for (const name of names) {
    const slot = journalSlot(name);
    if (slot === undefined) continue;
    // While the store cannot write (a full disk) the scores still count in memory, and the file
    // stays until they are durable (a later start, or the slot's hello, applies it again).
    let durable = true;
    n += dir.replayJournal(slot, (u) => {
      if (!dir.scoresOrKeep(u)) durable = false;
    });
    if (slot >= workers && durable) fs.rmSync(path.join(journalDir(data), name), { force: true });
  }
  return n;
}
