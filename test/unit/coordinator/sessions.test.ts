// Sessions and tokens in-process (server/coordinator/directory/sessions.ts through the
// Directory): a token resumes its session in the same seat (also after a coordinator restart)
// until the session ends; an ended or unknown token, or another account's, is BAD_TOKEN; tokens
// are stored only as hashes; a guest cannot take an account's name.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf, openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await openDirectory(['--room-capacity', '2']);
  h.dir.workerJoined(0);
  h.dir.workerJoined(1);
});
afterEach(async () => h.close());

describe('sessions and tokens', () => {
  it('a token resumes its session in the same seat while the session lasts (the worker grace)', () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    seated(h.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    // ann's connection drops; while her worker holds her seat frozen, the room stays full for others...
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'cy', room: 'den' }))).toBe('ROOM_FULL');
    // ...and her token brings her back to it: same session, same room, no new seat.
    expect(h.dir.route({ token: a.token })).toEqual({ slot: 0 });
    const back = seated(h.dir.join({ slot: 0, name: 'ann', token: a.token }));
    expect(back.resumed).toBe(true);
    expect(back.session.id).toBe(a.session.id);
    expect(back.room.id).toBe('den');
    expect(h.dir.sessionsOfRoom('den').map((s) => s.name).sort()).toEqual(['ann', 'bob']);
    // Arriving on another worker while hers is live: sent there.
    expect(h.dir.join({ slot: 1, name: 'ann', token: a.token })).toEqual({ redirect: 0 });
  });

  it('once the session ends (grace over: leave), its token is refused with BAD_TOKEN and its seat is free', () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    seated(h.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    h.dir.leave(a.session.id);
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', token: a.token }))).toBe('BAD_TOKEN');
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', token: 'made-up' }))).toBe('BAD_TOKEN');
    seated(h.dir.join({ slot: 0, name: 'cy', room: 'den' }));
    // The last one out takes the room along.
    for (const s of h.dir.sessionsOfRoom('den')) h.dir.leave(s.id);
    expect(h.dir.rooms()).toEqual([]);
  });

  it('a token resumes only as the account it was made for', () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', account: 'acct-1' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', token: a.token, account: 'acct-2' }))).toBe('BAD_TOKEN');
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', token: a.token, guest: true }))).toBe('BAD_TOKEN');
    expect(seated(h.dir.join({ slot: 0, name: 'ann', token: a.token, account: 'acct-1' })).resumed).toBe(true);
  });

  it('sessions survive a coordinator restart, and the store holds only token hashes', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    const dir = await h.reopen();
    dir.workerJoined(0);
    const back = seated(dir.join({ slot: 0, name: 'ann', token: a.token }));
    expect(back.session.id).toBe(a.session.id);
    expect(back.room.id).toBe('den');
    const files = fs.readdirSync(path.join(h.data, 'world'));
    for (const f of files) expect(fs.readFileSync(path.join(h.data, 'world', f)).includes(a.token)).toBe(false);
    expect((await h.stored()).sessions.map((s) => s.id)).toEqual([a.session.id]);
  });

  it('a stored session whose room is gone is ended at load', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    h.dir.commit([{ k: 'roomGone', id: 'den' }]);
    const dir = await h.reopen();
    expect(codeOf(() => dir.join({ slot: 0, name: 'ann', token: a.token }))).toBe('BAD_TOKEN');
    expect((await h.stored()).sessions).toEqual([]);
  });

  it('a guest may not take a name an account plays under; the account may rename', () => {
    seated(h.dir.join({ slot: 0, name: 'Ann', account: 'acct-1' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ANN', guest: true }))).toBe('NAME_TAKEN');
    seated(h.dir.join({ slot: 0, name: 'Annie', account: 'acct-1' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', guest: true }))).toBeUndefined();
    expect(codeOf(() => h.dir.join({ slot: 1, name: 'annie', guest: true }))).toBe('NAME_TAKEN');
  });
});
