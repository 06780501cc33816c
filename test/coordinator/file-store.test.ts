// The embedded store on real files: what was appended comes back exactly after a crash, a torn
// last record is cut (never a crash), damage anywhere else refuses to load naming file and
// offset, checkpoints compact without losing or doubling anything and keep the previous
// generation, and the repair rebuilds what is sound.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { applyChange, indexState, stateOf } from '../../server/coordinator/store/apply.js';
import { repairStore } from '../../server/coordinator/store/repair.js';
import type { Change, SavedState, SessionRecord } from '../../server/coordinator/store/types.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-store-'));
// Records as Shoal 0.1 wrote them: the raw token, no hash (the store hashes them when loaded).
const sess = (id: string, name: string, score = 0) => ({ id, token: `tok-${id}`, name, room: 'r', score }) as SessionRecord;
const session = (id: string, name: string): Change => ({ k: 'session', s: sess(id, name) });
const room = { id: 'r', slot: 0, capacity: 16 };
const logOf = (d: string) => path.join(d, fs.readdirSync(d).filter((f) => f.startsWith('log.')).sort().at(-1)!);

/** The whole world, as a fresh store opened on `d` loads it. */
async function load(d: string): Promise<SavedState> {
  const s = new FileStore(d);
  const w = await s.open();
  await s.close();
  return w;
}

/** A raw record with a valid checksum around any body. */
function rawRecord(value: unknown): Buffer {
  const body = new Packr({ useRecords: false, mapsAsObjects: true }).pack(value);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.writeUInt32BE(zlib.crc32(body), 4);
  return Buffer.concat([head, body]);
}

describe('FileStore', () => {
  it('gives back exactly the appended world after the process "crashes" (no close)', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann'), { k: 'room', r: room }, { k: 'nextPlayer', n: 3 }]);
    a.append([session('p2', 'bob'), { k: 'kv', ns: 'val', key: 'coins', value: 12 }]);
    a.append([{ k: 'score', id: 'p1', score: 3 }, { k: 'score', id: 'p1', score: 5 }, { k: 'score', id: 'p2', score: 1 }]);
    // No close, no sync: a second store reads what the first wrote.
    expect(await load(d)).toEqual({
      nextPlayer: 3,
      sessions: [sess('p1', 'ann', 5), sess('p2', 'bob', 1)],
      leaderboard: [['ann', 5], ['bob', 1]],
      // A room record written without a game reads as the arena's.
      rooms: [{ ...room, game: 'arena' }],
      kv: { val: { coins: 12 } },
    });
  });

  it('cuts a torn last record and keeps everything before it', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann')]);
    a.append([{ k: 'score', id: 'p1', score: 2 }]);
    await a.close();
    const log = logOf(d);
    const whole = fs.statSync(log).size;
    // A crash mid-write: the start of a third record whose body never made it.
    fs.appendFileSync(log, Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 0x91]));
    const b = new FileStore(d);
    const w = await b.open();
    expect(w.sessions).toEqual([sess('p1', 'ann', 2)]);
    expect(w.leaderboard).toEqual([['ann', 2]]);
    expect(b.stats.torn).toEqual({ file: log, offset: whole, bytes: 9 });
    expect(fs.statSync(log).size).toBe(whole);
    // Appends after the cut land on a clean tail.
    b.append([{ k: 'score', id: 'p1', score: 4 }]);
    await b.close();
    expect((await load(d)).leaderboard).toEqual([['ann', 4]]);
  });

  it('refuses a record whose checksum fails, naming the file and offset, rather than dropping the rest', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann')]);
    const second = fs.statSync(logOf(d)).size;
    a.append([{ k: 'score', id: 'p1', score: 9 }]);
    a.append([{ k: 'score', id: 'p1', score: 11 }]);
    await a.close();
    const log = logOf(d);
    const buf = fs.readFileSync(log);
    buf[second + 10]! ^= 0xff;
    fs.writeFileSync(log, buf);
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_DAMAGED', file: log, offset: second });
    // Nothing was cut: the file is as the damage left it.
    expect(fs.readFileSync(log)).toEqual(buf);
  });

  it('refuses a checksum-valid record of the wrong shape', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann')]);
    await a.close();
    const log = logOf(d);
    const at = fs.statSync(log).size;
    fs.appendFileSync(log, Buffer.concat([rawRecord([{ k: 'score', id: 7 }]), rawRecord([{ k: 'score', id: 'p1', score: 3 }])]));
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_DAMAGED', offset: at, message: expect.stringContaining('wrong shape') });
  });

  it('compacts into a checkpoint and replays later logs on top, without doubling; keeps the previous generation', async () => {
    const d = dir();
    const a = new FileStore(d);
    const ix = indexState(await a.open());
    const apply = (cs: Change[]) => {
      a.append(cs);
      for (const c of cs) applyChange(ix, c);
    };
    apply([session('p1', 'ann'), session('p2', 'bob')]);
    apply([{ k: 'score', id: 'p1', score: 7 }]);
    await a.checkpoint(stateOf(ix));
    apply([{ k: 'score', id: 'p2', score: 4 }]);
    await a.checkpoint(stateOf(ix));
    apply([{ k: 'sessionEnd', id: 'p1' }]);
    // Crash (no close): the checkpoint, the one before it, and the logs since that one.
    expect(fs.readdirSync(d).sort()).toEqual(['checkpoint.bin', 'checkpoint.prev.bin', 'log.1', 'log.2']);
    expect(await load(d)).toEqual({ nextPlayer: 1, sessions: [sess('p2', 'bob', 4)], leaderboard: [['ann', 7], ['bob', 4]], rooms: [], kv: {} });
  });

  it('loads a checkpoint whose new log was never created (crash right after the rename)', async () => {
    const d = dir();
    const a = new FileStore(d);
    const ix = indexState(await a.open());
    a.append([session('p1', 'ann'), { k: 'score', id: 'p1', score: 1 }]);
    for (const c of [session('p1', 'ann'), { k: 'score', id: 'p1', score: 1 } as Change]) applyChange(ix, c);
    await a.checkpoint(stateOf(ix));
    await a.close();
    fs.rmSync(path.join(d, 'log.1'));
    const b = new FileStore(d);
    expect((await b.open()).leaderboard).toEqual([['ann', 1]]);
    b.append([{ k: 'score', id: 'p1', score: 2 }]);
    await b.close();
    expect((await load(d)).leaderboard).toEqual([['ann', 2]]);
  });

  it('loads a store an older version left with an empty next log (crash before its checkpoint rename)', async () => {
    const d = dir();
    const a = new FileStore(d);
    const ix = indexState(await a.open());
    a.append([session('p1', 'ann'), { k: 'score', id: 'p1', score: 1 }]);
    for (const c of [session('p1', 'ann'), { k: 'score', id: 'p1', score: 1 } as Change]) applyChange(ix, c);
    await a.checkpoint(stateOf(ix));
    await a.close();
    fs.writeFileSync(path.join(d, 'log.2'), Buffer.alloc(0));
    expect((await load(d)).leaderboard).toEqual([['ann', 1]]);
    expect(fs.readdirSync(d).sort()).toEqual(['checkpoint.bin', 'log.0', 'log.1']);
  });

  it('refuses a missing checkpoint when the logs show one was written', async () => {
    const d = dir();
    const a = new FileStore(d);
    const ix = indexState(await a.open());
    a.append([session('p1', 'ann')]);
    applyChange(ix, session('p1', 'ann'));
    await a.checkpoint(stateOf(ix));
    await a.close();
    fs.rmSync(path.join(d, 'checkpoint.bin'));
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining('checkpoint.bin: file is missing') });
  });

  it('refuses a corrupt checkpoint instead of starting on a wrong world', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'checkpoint.bin'), 'not a checkpoint at all');
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_DAMAGED', offset: 0 });
  });

  it('repair rolls a corrupt checkpoint back to the previous generation without losing a change', async () => {
    const data = dir();
    const d = path.join(data, 'world');
    const a = new FileStore(d);
    const ix = indexState(await a.open());
    const apply = (cs: Change[]) => {
      a.append(cs);
      for (const c of cs) applyChange(ix, c);
    };
    apply([session('p1', 'ann'), { k: 'score', id: 'p1', score: 3 }]);
    await a.checkpoint(stateOf(ix));
    apply([{ k: 'score', id: 'p1', score: 5 }]);
    await a.checkpoint(stateOf(ix));
    apply([{ k: 'score', id: 'p1', score: 8 }]);
    await a.close();
    const want = stateOf(ix);
    const cp = path.join(d, 'checkpoint.bin');
    const bytes = fs.readFileSync(cp);
    bytes[bytes.length - 2]! ^= 0x55;
    fs.writeFileSync(cp, bytes);
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_DAMAGED' });
    const r = repairStore(data, true);
    expect(r.problems.join('\n')).toContain('checkpoint fails its checksum');
    expect(fs.readFileSync(path.join(r.backup!, 'checkpoint.bin'))).toEqual(bytes);
    expect(await load(d)).toEqual(want);
  });
});
