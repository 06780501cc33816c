// Seats promised at routing (server/coordinator/directory/reservations.ts), alone and as
// matchmaking counts them: a promised seat is not handed to the next routed player, a join with
// the hint takes it, and a promise lapses after its time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reservations } from '../../../server/coordinator/directory/reservations.js';
import { openDirectory, seated, type Harness } from './directory-harness.js';

describe('Reservations', () => {
  it('counts live promises, drops lapsed ones, and releases the oldest first', () => {
    const r = new Reservations();
    r.reserve('a', 100);
    r.reserve('a', 200);
    expect(r.count('a', 50)).toBe(2);
    expect(r.count('a', 100)).toBe(1);
    r.reserve('a', 300);
    r.release('a');
    expect(r.count('a', 150)).toBe(1);
    expect(r.count('a', 300)).toBe(0);
    expect(r.count('b', 0)).toBe(0);
  });
});

describe('reservations in matchmaking', () => {
  let h: Harness;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    h = await openDirectory(['--room-capacity', '2']);
    h.dir.workerJoined(0);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await h.close();
  });

  it('a promised seat is not promised twice, is taken by its hinted join, and lapses after 10 s', () => {
    const first = seated(h.dir.join({ slot: 0, name: 'a' }));
    const r1 = h.dir.route({});
    expect(r1.room).toBe(first.room.id); // the last free seat, now promised
    const r2 = h.dir.route({});
    expect(r2.room).not.toBe(first.room.id); // not promised twice
    // The promised player arrives and takes its seat.
    expect(seated(h.dir.join({ slot: 0, name: 'b', hint: r1.room })).room.id).toBe(first.room.id);

    const other = seated(h.dir.join({ slot: 0, name: 'c', hint: r2.room }));
    expect(other.room.id).toBe(r2.room);
    const r3 = h.dir.route({});
    expect(r3.room).toBe(other.room.id);
    expect(h.dir.route({}).room).not.toBe(other.room.id);
    // Its player never comes: after 10 s the seat is free to promise again.
    vi.setSystemTime(Date.now() + 10_001);
    expect(h.dir.route({}).room).toBe(other.room.id);
  });
});

describe('a promised seat taken', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await openDirectory(['--room-capacity', '3']);
    h.dir.workerJoined(0);
  });
  afterEach(async () => h.close());

  it('is no longer promised: the room offers its last free seat to the next routed player', () => {
    const a = seated(h.dir.join({ slot: 0, name: 'a' }));
    const r1 = h.dir.route({});
    expect(r1.room).toBe(a.room.id);
    seated(h.dir.join({ slot: 0, name: 'b', hint: r1.room }));
    expect(h.dir.route({}).room).toBe(a.room.id);
  });
});
