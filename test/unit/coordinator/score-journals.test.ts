// Score journals and score durability in-process (server/coordinator/directory/scores.ts and
// coordinator/scores/journals.ts): a worker's journal is applied (idempotently, torn lines
// skipped) before its rooms go to another worker and at start; journals of slots the server no
// longer runs are removed once applied; while the store cannot write, a hello's scores are kept in
// memory, reported not durable, and written once it can.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalDir, journalPath } from '../../../server/scores/score-journal.js';
import { replayJournals } from '../../../server/coordinator/scores/journals.js';
import { openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openDirectory(['--workers', '2']);
  h.dir.workerJoined(0);
  h.dir.workerJoined(1);
});
afterEach(async () => h.close());

function writeJournal(slot: number, text: string): void {
  fs.mkdirSync(journalDir(h.data), { recursive: true });
  fs.writeFileSync(journalPath(h.data, slot), text);
}

const storedScore = async (id: string) => (await h.stored()).sessions.find((s) => s.id === id)?.score;

describe('score journals', () => {
  it('replays a slot journal: best score per player, torn lines skipped, twice changes nothing', async () => {
    const a = seated(h.dir.join({ slot: 1, name: 'ann', room: 'den' })).session.id;
    writeJournal(1, `[["${a}",3]]\n[["${a}",7],["ghost",5]]\n[["${a}",9`);
    expect(h.dir.replayJournal(1)).toBe(2);
    expect(h.dir.replayJournal(1)).toBe(2);
    expect(h.dir.ix.leaderboard.get('ann')).toBe(7);
    expect(await storedScore(a)).toBe(7);
  });

  it('applies a gone worker\'s journal before its room is adopted by another worker', () => {
    const a = seated(h.dir.join({ slot: 1, name: 'ann', room: 'den' })).session.id;
    writeJournal(1, `[["${a}",11]]\n`);
    h.dir.workerLeft(1);
    const b = seated(h.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    expect(b.room.slot).toBe(0);
    expect(h.dir.sessionsOfRoom('den').find((s) => s.id === a)?.score).toBe(11);
  });

  it('at start applies every journal; removes those of slots no longer run, keeps the others', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    writeJournal(1, `[["${a}",4]]\n`);
    writeJournal(5, `[["${a}",6]]\n`);
    const dir = await h.reopen();
    expect(replayJournals(dir, h.data, 2)).toBe(2);
    expect(dir.top(1)).toEqual([['ann', 6]]);
    expect(fs.existsSync(journalPath(h.data, 1))).toBe(true);
    expect(fs.existsSync(journalPath(h.data, 5))).toBe(false);
  });

  it('an unreadable journal is reported and skipped', () => {
    fs.mkdirSync(journalPath(h.data, 1), { recursive: true }); // a directory where the file should be
    expect(h.dir.replayJournal(1)).toBe(0);
    expect(h.journalErrors).toEqual([journalPath(h.data, 1)]);
  });

  it('keeps a start\'s journal while the store cannot write, and removes it once it can', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    writeJournal(7, `[["${a}",6]]\n`);
    h.store.failAppends = 1;
    expect(replayJournals(h.dir, h.data, 2)).toBe(1);
    expect(fs.existsSync(journalPath(h.data, 7))).toBe(true);
    expect(await storedScore(a)).toBe(0);
    h.dir.persistKept(); // the store writes again (start/load-state.ts calls this on STORE_WRITABLE)
    expect(replayJournals(h.dir, h.data, 2)).toBe(1);
    expect(fs.existsSync(journalPath(h.data, 7))).toBe(false);
    expect(await storedScore(a)).toBe(6);
  });
});

describe('scores while the store cannot write', () => {
  it('scoresOrKeep keeps them in memory, says not durable, and persistKept writes them later', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    h.store.failAppends = 1;
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(false);
    // In memory (the hello's answer carries it), not in the store.
    expect(h.dir.sessionsOfRoom('den')[0]!.score).toBe(8);
    expect(await storedScore(a)).toBe(0);
    h.dir.persistKept();
    expect(await storedScore(a)).toBe(8);
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(true);
  });

  it('a resend of a kept score is written, not taken for a repeat', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    h.store.failAppends = 1;
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(false);
    h.dir.scores([[a, 8]]);
    expect(await storedScore(a)).toBe(8);
  });

  it('a second hello (or a start\'s replay) with a score kept only in memory writes it, and says not durable while it cannot', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    h.store.failAppends = 2;
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(false);
    // The same score again, the store still full: not "saved", or the worker would cut its journal.
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(false);
    expect(await storedScore(a)).toBe(0);
    // Again once the store can write: written now, then "saved".
    expect(h.dir.scoresOrKeep([[a, 8]])).toBe(true);
    expect(await storedScore(a)).toBe(8);
  });

  it('scores() refuses as a whole while the store cannot write: nothing in memory either', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' })).session.id;
    h.store.failAppends = 1;
    expect(() => h.dir.scores([[a, 8]])).toThrow(/ENOSPC/);
    expect(h.dir.sessionsOfRoom('den')[0]!.score).toBe(0);
    h.dir.scores([[a, 8]]);
    expect(await storedScore(a)).toBe(8);
  });
});
