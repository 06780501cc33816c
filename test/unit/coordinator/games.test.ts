// Rooms belong to games, in-process (server/coordinator/directory/placement.ts through the
// Directory and the coordinator's ops): quick-join fills a room of the player's game up to that
// game's seats and makes one of that game otherwise; a join naming a room is allowed up to the
// game's capacity; a named room of another game is refused with WRONG_GAME; records written before
// rooms had games read as arena; a room adopted or reloaded keeps its game. Games are plain
// strings here: the coordinator imports none, workers tell it their sizes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOps } from '../../../server/coordinator/ops/ops.js';
import { createLogger } from '../../../server/log/logger.js';
import type { CoordinatorChannel, JoinArgs } from '../../../server/ipc/coordinator-ops.js';
import type { Change, RoomRecord, SessionRecord } from '../../../server/coordinator/store/types.js';
import { emptyState } from '../../../server/coordinator/store/types.js';
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

/** Four in a row as its workers declare it: 2 seats, 5 members with spectators. */
const FOUR = { game: 'four', seats: 2, capacity: 5 } as const;

/** Routes a player of a game that names no room, then joins it where it was routed. */
function quick(name: string, game: Partial<JoinArgs> = {}) {
  const r = h.dir.route({ game: game.game });
  return seated(h.dir.join({ slot: r.slot, name, hint: r.room, ...game }));
}

describe('quick-join by game', () => {
  it('fills a room of the player game up to its seats, then makes another of that game; arena rooms stay apart', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const four = ['a', 'b', 'c', 'd', 'e'].map((n) => quick(n, FOUR).room);
    const arena = ['x', 'y'].map((n) => quick(n, { game: 'arena' }).room);
    // Pairs: the third four player does not sit with the first two.
    expect(four[1]!.id).toBe(four[0]!.id);
    expect(four[3]!.id).toBe(four[2]!.id);
    expect(new Set(four.map((r) => r.id)).size).toBe(3);
    for (const r of four) expect(r).toMatchObject({ game: 'four', seats: 2, capacity: 5 });
    for (const r of four) expect(r.id).toMatch(/^four-/);
    // Arena players are never put in a four room, though those have room for spectators.
    expect(arena[1]!.id).toBe(arena[0]!.id);
    expect(arena[0]).toMatchObject({ game: 'arena', capacity: 3 });
    expect(arena[0]!.seats).toBeUndefined();
    expect(arena[0]!.id).toMatch(/^arena-/);
    const lines = h.dir.rooms();
    expect(lines.map((l) => [l.game, l.players])).toEqual([['four', 2], ['four', 2], ['four', 1], ['arena', 2]]);
  });

  it('routing knows a game sizes from the worker hello: two players routed before either joins share one room, a third goes elsewhere', () => {
    const ops = createOps({ dir: h.dir, config: h.config, workers: new Map(), channels: new Set(), log: createLogger('coordinator', 'silent'), store: h.store, reports: [] });
    const ch = { peer: {}, destroy() {} } as unknown as CoordinatorChannel;
    void ops['worker.hello']({ slot: 0, pid: 1, rooms: [], games: [{ name: 'four', seats: 2, capacity: 5 }, { name: 'arena', seats: 3, capacity: 3 }] }, ch);
    const a = h.dir.route({ game: 'four' });
    const b = h.dir.route({ game: 'four' });
    const c = h.dir.route({ game: 'four' });
    const x = h.dir.route({ game: 'arena' });
    expect(a.room).toMatch(/^four-/);
    expect(b.room).toBe(a.room);
    expect(c.room).not.toBe(a.room);
    expect(x.room).toMatch(/^arena-/);
    // The routed players join where they were sent, and the room made is a four room.
    const ja = seated(h.dir.join({ slot: a.slot, name: 'a', hint: a.room, ...FOUR }));
    const jb = seated(h.dir.join({ slot: b.slot, name: 'b', hint: b.room, ...FOUR }));
    expect(ja.room.id).toBe(a.room);
    expect(jb.room.id).toBe(a.room);
    expect(ja.room).toMatchObject({ game: 'four', seats: 2 });
  });

  it('a join hinted to a room of another game (routed without its game) is not seated there', () => {
    h.dir.workerJoined(0);
    const arenaRoom = quick('x', { game: 'arena' }).room;
    // The primary could not read this hello's game and routed it as an arena player.
    const r = h.dir.route({});
    expect(r.room).toBe(arenaRoom.id);
    const j = seated(h.dir.join({ slot: r.slot, name: 'f', hint: r.room, ...FOUR }));
    expect(j.room.game).toBe('four');
    expect(j.room.id).not.toBe(arenaRoom.id);
    // Its promised arena seat went back: two more arena players still fit in the arena room.
    expect(quick('y', { game: 'arena' }).room.id).toBe(arenaRoom.id);
    expect(quick('z', { game: 'arena' }).room.id).toBe(arenaRoom.id);
  });

  it('a join hinted to a placement of another game (no room made yet) makes a room of its own game, not that one', () => {
    h.dir.workerJoined(0);
    const r = h.dir.route({});
    expect(r.room).toMatch(/^room-/);
    const j = seated(h.dir.join({ slot: r.slot, name: 'f', hint: r.room, ...FOUR }));
    expect(j.room.game).toBe('four');
    expect(j.room.id).toMatch(/^four-/);
    // The arena placement is still there for an arena player.
    expect(seated(h.dir.join({ slot: r.slot, name: 'x', hint: r.room })).room).toMatchObject({ id: r.room, game: 'arena' });
  });

  it('a drained worker gets no new room of any game; its four room with a free seat is not filled', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const first = seated(h.dir.join({ slot: 0, name: 'a', room: 'four-table', ...FOUR }));
    h.dir.placement.drain(0, 'run-1');
    const j = quick('b', FOUR);
    expect(j.room.id).not.toBe(first.room.id);
    expect(j.room.slot).toBe(1);
  });
});

describe('joins naming a room', () => {
  it('are allowed up to the game capacity (spectators past its seats), then ROOM_FULL', () => {
    h.dir.workerJoined(0);
    for (const n of ['a', 'b', 'c', 'd', 'e']) expect(seated(h.dir.join({ slot: 0, name: n, room: 'table', ...FOUR })).room.game).toBe('four');
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'f', room: 'table', ...FOUR }))).toBe('ROOM_FULL');
    // Quick-join did not count it as open: it had no free seat from the third member on.
    expect(quick('g', FOUR).room.id).not.toBe('table');
  });

  it('WRONG_GAME for a room of another game, with no session made, also when the room is on another worker', () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    seated(h.dir.join({ slot: 1, name: 'a', room: 'den', game: 'arena' }));
    const sessions = h.dir.ix.sessionsById.size;
    expect(codeOf(() => h.dir.join({ slot: 1, name: 'b', room: 'den', ...FOUR }))).toBe('WRONG_GAME');
    // Not redirected to the room's worker first: refused where it is.
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'b', room: 'den', ...FOUR }))).toBe('WRONG_GAME');
    expect(h.dir.ix.sessionsById.size).toBe(sessions);
    // A hello with no game is an arena hello.
    expect(seated(h.dir.join({ slot: 1, name: 'c', room: 'den' })).room.game).toBe('arena');
  });

  it('a room a named join makes plays the joining game; ROOM_LIMIT still counts rooms per address', () => {
    h.dir.workerJoined(0);
    const a = seated(h.dir.join({ slot: 0, name: 'a', room: 'r1', address: '127.0.0.9', ...FOUR }));
    expect(a.room).toMatchObject({ id: 'r1', game: 'four', capacity: 5, seats: 2 });
    seated(h.dir.join({ slot: 0, name: 'b', room: 'r2', address: '127.0.0.9', game: 'arena' }));
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'c', room: 'r3', address: '127.0.0.9', ...FOUR }))).toBe('ROOM_LIMIT');
  });

  it('set roomCapacity resizes the rooms sized by it, not those its game sizes', () => {
    h.dir.workerJoined(0);
    seated(h.dir.join({ slot: 0, name: 'a', room: 'table', ...FOUR }));
    seated(h.dir.join({ slot: 0, name: 'b', room: 'den' }));
    expect(h.dir.placement.setCapacity(7)).toBe(1);
    expect(h.dir.placement.room('den')).toMatchObject({ capacity: 7, game: 'arena' });
    expect(h.dir.placement.room('table')).toMatchObject({ capacity: 5, seats: 2, game: 'four' });
  });
});

describe('a room keeps its game', () => {
  it('when its worker dies and a resume adopts it elsewhere, in the worker hello answer, and across a coordinator restart', async () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const a = seated(h.dir.join({ slot: 0, name: 'a', room: 'table', ...FOUR }));
    seated(h.dir.join({ slot: 0, name: 'b', room: 'table', ...FOUR }));
    h.dir.workerLeft(0);
    // The resume names no game (or another one): the room plays what it played.
    const r = seated(h.dir.join({ slot: 1, name: 'a', token: a.token, game: 'arena' }));
    expect(r.resumed).toBe(true);
    expect(r.room).toMatchObject({ id: 'table', slot: 1, game: 'four', seats: 2, capacity: 5 });
    // What the adopting worker's hello is answered with (ops.ts: roomsOfSlot).
    expect(h.dir.roomsOfSlot(1)).toEqual([expect.objectContaining({ id: 'table', game: 'four' })]);
    const dir = await h.reopen();
    expect(dir.placement.room('table')).toMatchObject({ game: 'four', seats: 2, capacity: 5, slot: 1 });
    expect((await h.stored()).rooms).toEqual([expect.objectContaining({ id: 'table', game: 'four' })]);
  });
});

describe('records written before rooms had games', () => {
  it('read as arena rooms, from the log and from a checkpoint, and quick-join fills them with arena players only', async () => {
    const session = (id: string, room: string): SessionRecord => ({ id, tokenHash: `hash-${id}`, name: id, room, score: 0 });
    // As Shoal 0.2 wrote them: no game, no seats.
    const old = (id: string) => ({ id, slot: 0, capacity: 3 }) as unknown as RoomRecord;
    await h.store.checkpoint({ ...emptyState(), nextPlayer: 10, sessions: [session('p1', 'reef')], rooms: [old('reef')] });
    h.store.append([{ k: 'session', s: session('p2', 'kelp') }, { k: 'room', r: old('kelp') }] as Change[]);
    const dir = await h.reopen();
    expect(dir.placement.room('reef')!.game).toBe('arena');
    expect(dir.placement.room('kelp')!.game).toBe('arena');
    expect(dir.rooms().map((l) => [l.id, l.game])).toEqual([['reef', 'arena'], ['kelp', 'arena']]);
    // What the store itself loads (checkpoint, then the log replayed) reads the same.
    expect((await h.stored()).rooms.map((r) => [r.id, r.game])).toEqual([['reef', 'arena'], ['kelp', 'arena']]);
    dir.workerJoined(0);
    expect(codeOf(() => dir.join({ slot: 0, name: 'f', room: 'reef', ...FOUR }))).toBe('WRONG_GAME');
    const f = seated(dir.join({ slot: 0, name: 'f', ...FOUR }));
    expect(f.room.game).toBe('four');
    // An arena player without a game is put in an old room.
    expect(['reef', 'kelp']).toContain(seated(dir.join({ slot: 0, name: 'x' })).room.id);
    // A later change to an old record (set roomCapacity writes no snapshot) keeps it arena.
    dir.placement.setCapacity(4);
    expect(dir.placement.room('reef')).toMatchObject({ game: 'arena', capacity: 4 });
  });
});
