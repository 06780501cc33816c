// The coordinator applies a dead worker's score journal before it hands that worker's room to
// another worker (the path the end-to-end test in test/faults/scores-link-down.test.ts does not
// reach: there the coordinator itself restarts and applies every journal at start).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Directory } from '../../server/coordinator/directory/directory.js';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { ScoreJournal, journalPath } from '../../server/scores/score-journal.js';
import type { Config } from '../../server/config/schema.js';

const quiet = { error() {}, warn() {}, info() {} } as never;

it("applies a dead worker's journal before another worker adopts its room", async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-journal-'));
  const store = new FileStore(path.join(data, 'world'));
  const dir = new Directory(await store.open(), store, { data, roomCapacity: 16 } as Config);
  dir.workerJoined(0);
  dir.workerJoined(1);
  const joined = dir.join({ slot: 1, name: 'ann', room: 'r1' });
  if (!('session' in joined)) throw new Error('not joined');
  dir.scores([[joined.session.id, 3]]);

  // Worker 1 showed scores 5, then 9 while its link was down, and died.
  const j = new ScoreJournal(journalPath(data, 1), quiet);
  j.append([[joined.session.id, 5]]);
  j.append([[joined.session.id, 9], ['p-unknown', 4]]);
  j.close();
  fs.appendFileSync(journalPath(data, 1), '[["' + joined.session.id + '",12'); // torn by a crash: skipped
  dir.workerLeft(1);

  const resumed = dir.join({ slot: 0, name: 'ann', token: joined.token });
  if (!('session' in resumed)) throw new Error('not resumed');
  expect(dir.ix.rooms.get('r1')?.slot).toBe(0);
  expect(resumed.session.score).toBe(9);
  expect(dir.top(10)).toEqual([['ann', 9]]);
  // Applying it again changes nothing (scores are absolute).
  dir.replayJournal(1);
  expect(dir.top(10)).toEqual([['ann', 9]]);
  await store.close();

  // Emptied once acknowledged: a later replay finds nothing.
  const again = new ScoreJournal(journalPath(data, 1), quiet);
  again.clear();
  expect(fs.statSync(journalPath(data, 1)).size).toBe(0);
  expect(dir.replayJournal(1)).toBe(0);
});
