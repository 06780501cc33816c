// The embedded store on real files: what was appended comes back after a crash, a torn last
// record is dropped (never a crash), and checkpoints compact without losing or doubling anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { applyChange, indexWorld, worldOf } from '../../server/coordinator/store/apply.js';
import type { Change } from '../../server/coordinator/store/types.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-store-'));
const session = (id: string, name: string): Change => ({ k: 'session', s: { id, token: `tok-${id}`, name, room: 'r', score: 0 } });

describe('FileStore', () => {
  it('gives back every appended change after the process "crashes" (no close)', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann'), { k: 'room', r: { id: 'r', slot: 0, capacity: 16 } }]);
    a.append([{ k: 'score', id: 'p1', score: 3 }, { k: 'score', id: 'p1', score: 5 }]);
    // No close, no sync: a second store reads what the first wrote.
    const b = new FileStore(d);
    const w = await b.open();
    expect(w.leaderboard).toEqual([['ann', 5]]);
    expect(w.sessions.map((s) => [s.id, s.score])).toEqual([['p1', 5]]);
    await b.close();
  });

  it('drops a torn last record and keeps everything before it', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann')]);
    a.append([{ k: 'score', id: 'p1', score: 2 }]);
    await a.close();
    const log = path.join(d, fs.readdirSync(d).find((f) => f.startsWith('log.'))!);
    const whole = fs.statSync(log).size;
    // A crash mid-write: half of a third record.
    fs.appendFileSync(log, Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 0x91]));
    const b = new FileStore(d);
    const w = await b.open();
    expect(w.leaderboard).toEqual([['ann', 2]]);
    expect(b.stats.tornBytesDropped).toBe(9);
    expect(fs.statSync(log).size).toBe(whole);
    // Appends after the repair land on a clean tail.
    b.append([{ k: 'score', id: 'p1', score: 4 }]);
    await b.close();
    const c = new FileStore(d);
    expect((await c.open()).leaderboard).toEqual([['ann', 4]]);
    await c.close();
  });

  it('drops a record whose checksum fails', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann')]);
    a.append([{ k: 'score', id: 'p1', score: 9 }]);
    await a.close();
    const log = path.join(d, fs.readdirSync(d).find((f) => f.startsWith('log.'))!);
    const buf = fs.readFileSync(log);
    buf[buf.length - 1] ^= 0xff;
    fs.writeFileSync(log, buf);
    const b = new FileStore(d);
    expect((await b.open()).leaderboard).toEqual([]);
    await b.close();
  });

  it('compacts into a checkpoint and replays later logs on top, without doubling', async () => {
    const d = dir();
    const a = new FileStore(d);
    const ix = indexWorld(await a.open());
    const apply = (cs: Change[]) => {
      for (const c of cs) applyChange(ix, c);
      a.append(cs);
    };
    apply([session('p1', 'ann'), session('p2', 'bob')]);
    apply([{ k: 'score', id: 'p1', score: 7 }]);
    await a.checkpoint(worldOf(ix));
    apply([{ k: 'score', id: 'p2', score: 4 }, { k: 'sessionEnd', id: 'p1' }]);
    // Crash (no close): a checkpoint plus the log written after it.
    const files = fs.readdirSync(d).sort();
    expect(files).toContain('checkpoint.bin');
    expect(files.filter((f) => f.startsWith('log.'))).toHaveLength(1);
    const b = new FileStore(d);
    const w = await b.open();
    expect(Object.fromEntries(w.leaderboard)).toEqual({ ann: 7, bob: 4 });
    expect(w.sessions.map((s) => s.id)).toEqual(['p2']);
    await b.close();
  });

  it('replays a log left behind by a checkpoint that crashed before its rename', async () => {
    const d = dir();
    const a = new FileStore(d);
    await a.open();
    a.append([session('p1', 'ann'), { k: 'score', id: 'p1', score: 1 }]);
    await a.close();
    // A later generation's log exists but the checkpoint naming it was never renamed in.
    const b = new FileStore(d);
    await b.open();
    fs.writeFileSync(path.join(d, 'log.5'), Buffer.alloc(0));
    await b.close();
    const c = new FileStore(d);
    const w = await c.open();
    expect(w.leaderboard).toEqual([['ann', 1]]);
    c.append([{ k: 'score', id: 'p1', score: 2 }]);
    await c.close();
    const e = new FileStore(d);
    expect((await e.open()).leaderboard).toEqual([['ann', 2]]);
    await e.close();
  });

  it('refuses a corrupt checkpoint with a code instead of starting on a wrong world', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'checkpoint.bin'), 'not a checkpoint at all');
    await expect(new FileStore(d).open()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});
