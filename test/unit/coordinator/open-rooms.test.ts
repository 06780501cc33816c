// Rooms a game closed to quick-join (RoomContext.setOpen, carried by the room.open op), in-process
// through the Directory and the coordinator's ops: matchmaking, both at routing (the primary's
// route) and at the join, skips a closed room even with a free seat; a join naming it is not
// affected; reopened it is filled again. Only the worker running the room is heard; the flag is
// in the room's record, so it outlives a coordinator restart and an adoption, and a worker's hello
// report sets it (what it said while the coordinator was away).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOps } from '../../../server/coordinator/ops/ops.js';
import { createLogger } from '../../../server/log/logger.js';
import type { CoordinatorChannel, JoinArgs } from '../../../server/ipc/coordinator-ops.js';
import { openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  h = await openDirectory(['--room-capacity', '3']);
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

/** Four in a row as its workers declare it: 2 seats, 5 members with spectators. */
const FOUR = { game: 'four', seats: 2, capacity: 5 } as const;

/** Routes a player of a game that names no room (the primary's route), then joins it where it was routed. */
function quick(name: string, game: Partial<JoinArgs> = FOUR) {
  const r = h.dir.route({ game: game.game });
  return seated(h.dir.join({ slot: r.slot, name, hint: r.room, ...game }));
}

function opsWith(peer: Record<string, unknown>) {
  const ops = createOps({ dir: h.dir, config: h.config, workers: new Map(), channels: new Set(), log: createLogger('coordinator', 'silent'), store: h.store, reports: [] });
  const ch = { peer, destroy() {} } as unknown as CoordinatorChannel;
  return (id: string, open: boolean) => ops['room.open']({ id, open }, ch);
}

describe('a room its game closed to quick-join', () => {
  it('is skipped by routing and by a join with no room, though it has a free seat; reopened, it is filled again', () => {
    h.dir.workerJoined(0);
    const a = quick('a');
    const room = a.room.id;
    h.dir.setRoomOpen(room, false, 0);
    expect(h.dir.placement.room(room)!.closed).toBe(true);
    // The primary's route makes up another room rather than promise this one.
    const routed = h.dir.route({ game: 'four' });
    expect(routed.room).not.toBe(room);
    const b = seated(h.dir.join({ slot: routed.slot, name: 'b', hint: routed.room, ...FOUR }));
    expect(b.room.id).toBe(routed.room);
    // A join with no hint (a WebSocket hello, which the primary does not read) matchmakes again: b's room, not a's.
    const c = seated(h.dir.join({ slot: 0, name: 'c', ...FOUR }));
    expect(c.room.id).toBe(b.room.id);
    // Both rooms full or closed: the next one gets a room of its own.
    const d = quick('d');
    expect([room, b.room.id]).not.toContain(d.room.id);
    expect(h.dir.rooms().map((l) => [l.id, l.players])).toEqual([[room, 1], [b.room.id, 2], [d.room.id, 1]]);
    // Reopened: it is a room with a free seat again, as old as d's and first in line.
    h.dir.setRoomOpen(room, true, 0);
    expect(h.dir.placement.room(room)!.closed).toBeUndefined();
    expect(quick('e').room.id).toBe(room);
  });

  it('takes a join naming it, up to its capacity, as before', () => {
    h.dir.workerJoined(0);
    const room = quick('a').room.id;
    h.dir.setRoomOpen(room, false, 0);
    for (const n of ['b', 'c', 'd', 'e']) expect(seated(h.dir.join({ slot: 0, name: n, room, ...FOUR })).room.id).toBe(room);
    expect(() => h.dir.join({ slot: 0, name: 'f', room, ...FOUR })).toThrow(expect.objectContaining({ code: 'ROOM_FULL' }));
  });

  it('does not give a seat promised at routing when its game closed the room before the player joined', () => {
    h.dir.workerJoined(0);
    const room = quick('a').room.id;
    const routed = h.dir.route({ game: 'four' });
    expect(routed.room).toBe(room);
    h.dir.setRoomOpen(room, false, 0);
    const b = seated(h.dir.join({ slot: routed.slot, name: 'b', hint: routed.room, ...FOUR }));
    expect(b.room.id).not.toBe(room);
    expect(h.dir.placement.reservedIn(room, Date.now())).toBe(0);
  });
});

describe('who says a room is open, and how long it is kept', () => {
  it('only the worker running the room is heard over the room.open op', async () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const a = seated(h.dir.join({ slot: 0, name: 'a', room: 'table', ...FOUR }));
    expect(a.room.slot).toBe(0);
    await opsWith({ role: 'worker', slot: 1, pid: 2 })('table', false);
    await opsWith({ role: 'primary' })('table', false);
    expect(h.dir.placement.room('table')!.closed).toBeUndefined();
    await opsWith({ role: 'worker', slot: 0, pid: 1 })('table', false);
    expect(h.dir.placement.room('table')!.closed).toBe(true);
  });

  it('is kept in the room record: across a coordinator restart, an adoption and set roomCapacity; a worker hello report sets it', async () => {
    h.dir.workerJoined(0);
    h.dir.workerJoined(1);
    const a = seated(h.dir.join({ slot: 0, name: 'a', room: 'table', ...FOUR }));
    seated(h.dir.join({ slot: 0, name: 'x', room: 'den' }));
    h.dir.setRoomOpen('table', false, 0);
    h.dir.setRoomOpen('den', false, 0);
    expect(h.dir.placement.setCapacity(7)).toBe(1);
    expect(h.dir.placement.room('den')).toMatchObject({ capacity: 7, closed: true });
    let dir = await h.reopen();
    dir.workerJoined(0);
    dir.workerJoined(1);
    expect(dir.placement.room('table')).toMatchObject({ closed: true, slot: 0 });
    expect(quick('b').room.id).not.toBe('table');
    expect(quick('y', { game: 'arena' }).room.id).not.toBe('den');
    // Its worker dies; a resume adopts the room on worker 1: still closed.
    dir.workerLeft(0);
    const r = seated(dir.join({ slot: 1, name: 'a', token: a.token, ...FOUR }));
    expect(r.room).toMatchObject({ id: 'table', slot: 1, closed: true });
    // The record as stored, too (what a restarted coordinator loads).
    expect((await h.stored()).rooms.find((x) => x.id === 'table')).toMatchObject({ closed: true });
    // The coordinator restarts again; the worker that runs the room opened it meanwhile and says so at its hello.
    dir = await h.reopen();
    dir.workerJoined(1, [{ id: 'table', players: [a.session.id], open: true }]);
    expect(dir.placement.room('table')!.closed).toBeUndefined();
    expect(quick('c').room.id).toBe('table');
  });
});
