// Placement and matchmaking in-process (server/coordinator/directory/placement.ts through the
// Directory): rooms fill before the next opens, a hinted join falls back to matchmaking, drained
// slots get no new rooms, named rooms redirect or are adopted, and the named-room limits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codeOf, openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  h = await openDirectory(['--room-capacity', '3', '--rooms-per-address-per-minute', '2']);
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

/** Routes a player that names no room, then joins it where it was routed. */
function routeAndJoin(name: string) {
  const r = h.dir.route({});
  return seated(h.dir.join({ slot: r.slot, name, hint: r.room }));
}

describe('matchmaking', () => {
  it('fills a room to capacity before opening the next', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const rooms = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => routeAndJoin(n).room.id);
    expect(rooms.slice(0, 3).every((id) => id === rooms[0])).toBe(true);
    expect(rooms.slice(3, 6).every((id) => id === rooms[3])).toBe(true);
    expect(rooms[3]).not.toBe(rooms[0]);
    expect(rooms[6]).not.toBe(rooms[3]);
    expect(h.dir.rooms().map((r) => r.players)).toEqual([3, 3, 1]);
    // Made-up ids carry the default prefix when no game is named.
    expect(rooms[0]).toMatch(/^room-/);
  });

  it('picks the fullest room with a free seat first', () => {
    h.dir.workerJoined(0);
    seated(h.dir.join({ slot: 0, name: 'x1', room: 'one' }));
    seated(h.dir.join({ slot: 0, name: 'y1', room: 'two' }));
    seated(h.dir.join({ slot: 0, name: 'y2', room: 'two' }));
    expect(seated(h.dir.join({ slot: 0, name: 'n' })).room.id).toBe('two');
    expect(seated(h.dir.join({ slot: 0, name: 'm' })).room.id).toBe('one');
  });

  it('a hinted join whose room filled meanwhile falls back to another room, never ROOM_FULL', () => {
    h.dir.workerJoined(0);
    const r = h.dir.route({});
    expect(r.room).toBeDefined();
    // Three players name that room while the routed one is on its way: it is full.
    for (const n of ['p', 'q', 'r']) seated(h.dir.join({ slot: 0, name: n, room: r.room }));
    const j = seated(h.dir.join({ slot: r.slot, name: 'late', hint: r.room }));
    expect(j.room.id).not.toBe(r.room);
    expect(h.dir.sessionsOfRoom(j.room.id).map((s) => s.name)).toEqual(['late']);
  });

  it('a hinted join on another worker than the hinted room is redirected to where matchmaking finds a seat', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const first = routeAndJoin('a');
    const other = first.room.slot === 0 ? 1 : 0;
    // Arrives on the other worker with the hint of the first room: the seat is there.
    const r = h.dir.join({ slot: other, name: 'b', hint: first.room.id });
    expect(r).toEqual({ redirect: first.room.slot });
  });
});

describe('drained slots', () => {
  it('get no new rooms, neither routed nor matchmade, and stay drained when their worker rejoins', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const p = h.dir.placement;
    // A room with free seats on slot 0, before the drain.
    const old = seated(h.dir.join({ slot: 0, name: 'o', room: 'old' }));
    p.drain(0, 'run-1');
    h.dir.workerLeft(0);
    h.dir.workerJoined(0); // a restarted worker: the drain holds
    expect(p.isDrained(0)).toBe(true);
    expect(p.slotsTakingRooms()).toEqual([1]);
    for (let i = 0; i < 5; i++) expect(h.dir.route({ room: `named-${i}` }).slot).toBe(1);
    const r = h.dir.route({});
    expect(r.slot).toBe(1);
    expect(r.room).not.toBe('old');
    // Matchmaking on slot 1 does not fill the drained slot's room; its players stay.
    const j = seated(h.dir.join({ slot: 1, name: 'n' }));
    expect(j.room.id).not.toBe(old.room.id);
    expect(j.room.slot).toBe(1);
    expect(h.dir.sessionsOfRoom('old').length).toBe(1);
    p.undrain(0);
    expect(p.isDrained(0)).toBe(false);
    expect(p.slotsTakingRooms().sort()).toEqual([0, 1]);
  });
});

describe('named rooms', () => {
  it('ROOM_FULL once every seat is taken', () => {
    h.dir.workerJoined(0);
    for (const n of ['a', 'b', 'c']) seated(h.dir.join({ slot: 0, name: n, room: 'den' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'd', room: 'den' }))).toBe('ROOM_FULL');
  });

  it('ROOM_LIMIT past roomsPerAddressPerMinute new rooms from one address, and again after a minute', () => {
    h.dir.workerJoined(0);
    seated(h.dir.join({ slot: 0, name: 'a', room: 'r1', address: '127.0.0.9' }));
    seated(h.dir.join({ slot: 0, name: 'b', room: 'r2', address: '127.0.0.9' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'c', room: 'r3', address: '127.0.0.9' }))).toBe('ROOM_LIMIT');
    // Another address, and joining an existing room, are not limited.
    seated(h.dir.join({ slot: 0, name: 'd', room: 'r3', address: '127.0.0.8' }));
    seated(h.dir.join({ slot: 0, name: 'e', room: 'r1', address: '127.0.0.9' }));
    vi.setSystemTime(Date.now() + 60_000);
    seated(h.dir.join({ slot: 0, name: 'f', room: 'r4', address: '127.0.0.9' }));
  });

  it('a room on another live worker redirects; on a gone worker it is adopted', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    seated(h.dir.join({ slot: 1, name: 'a', room: 'den' }));
    expect(h.dir.route({ room: 'den' })).toEqual({ slot: 1 });
    expect(h.dir.join({ slot: 0, name: 'b', room: 'den' })).toEqual({ redirect: 1 });
    h.dir.workerLeft(1);
    const j = seated(h.dir.join({ slot: 0, name: 'b', room: 'den' }));
    expect(j.room.slot).toBe(0);
    expect(h.dir.roomsOfSlot(0).map((r) => r.id)).toEqual(['den']);
  });

  it('players routed to a room not made yet all meet on one worker', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const a = h.dir.route({ room: 'meet' });
    const b = h.dir.route({ room: 'meet' });
    expect(b.slot).toBe(a.slot);
    // One arriving on the other worker first is sent to the placed one.
    expect(h.dir.join({ slot: a.slot === 0 ? 1 : 0, name: 'x', room: 'meet' })).toEqual({ redirect: a.slot });
    expect(seated(h.dir.join({ slot: a.slot, name: 'y', room: 'meet' })).room.slot).toBe(a.slot);
  });
});

describe('a quick-join the primary placed (no hint) and the board it places from', () => {
  it('is seated on its own worker: in a room there with a free seat, else a new one there, never sent to another worker\'s room', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    // A room on worker 1 with free seats (capacity 3).
    seated(h.dir.join({ slot: 1, name: 'w1', room: 'one' }));
    const a = seated(h.dir.join({ slot: 0, name: 'a' }));
    expect(a.room.slot).toBe(0);
    expect(a.room.id).not.toBe('one');
    // The next on worker 0 fills that room; the one after that gets a new one, still on worker 0.
    expect(seated(h.dir.join({ slot: 0, name: 'b' })).room.id).toBe(a.room.id);
    expect(seated(h.dir.join({ slot: 0, name: 'c' })).room.id).toBe(a.room.id);
    const d = seated(h.dir.join({ slot: 0, name: 'd' }));
    expect(d.room.slot).toBe(0);
    expect(d.room.id).not.toBe(a.room.id);
    // On worker 1 it takes the free seat there.
    expect(seated(h.dir.join({ slot: 1, name: 'e' })).room.id).toBe('one');
  });

  it('on a drained worker it is matchmade as before (sent where a seat is)', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    seated(h.dir.join({ slot: 1, name: 'w1', room: 'one' }));
    h.dir.placement.drain(0, 'run');
    expect(h.dir.join({ slot: 0, name: 'a' })).toEqual({ redirect: 1 });
  });

  it('the board lists the slots taking rooms and, per game, the free seats on each', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    seated(h.dir.join({ slot: 1, name: 'w1', room: 'one' }));
    seated(h.dir.join({ slot: 0, name: 'x1', room: 'two' }));
    seated(h.dir.join({ slot: 0, name: 'x2', room: 'two' }));
    seated(h.dir.join({ slot: 0, name: 'f1', room: 'full', address: '10.0.0.9' }));
    seated(h.dir.join({ slot: 0, name: 'f2', room: 'full' }));
    seated(h.dir.join({ slot: 0, name: 'f3', room: 'full' }));
    const now = Date.now();
    expect(h.dir.placement.quickBoard(now)).toEqual({ slots: [0, 1], seats: 3, games: [['arena', 3, [[0, 1], [1, 2]]]] });
    // A seat promised at routing is not free; a drained slot's rooms take nobody.
    const r = h.dir.route({});
    expect(r).toEqual({ slot: 0, room: 'two' });
    h.dir.placement.drain(1, 'run');
    expect(h.dir.placement.quickBoard(now)).toEqual({ slots: [0], seats: 3, games: [] });
  });
});
