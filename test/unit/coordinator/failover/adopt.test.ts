// Failover's two halves in process, on a real redis-server: adoption (failover/redis-adopter.ts) reads a
// dead host's room — record, MessagePack snapshot, seated sessions with their scores, as the store
// writes them — into this host's directory on a live local worker, so a resume by token gets the
// room and its score back; and fencing (failover/fencing.ts) forgets a room another host owns now,
// without writing, and self-fences every room while the heartbeat is lapsed.
import { pack } from 'msgpackr';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS } from '../../../../server/coordinator/redis/keys.js';
import { RedisAdopter } from '../../../../server/coordinator/failover/redis-adopter.js';
import { Fencing } from '../../../../server/coordinator/failover/fencing.js';
import type { HeartbeatEvents } from '../../../../server/coordinator/failover/fencing.js';
import { hashToken } from '../../../../server/coordinator/store/token-hash.js';
import type { SessionRecord } from '../../../../server/coordinator/store/types.js';
import { startRedis, type TestRedis } from '../../../helpers/redis.js';
import type { JoinResult } from '../../../../server/ipc/coordinator-ops.js';
import { codeOf, openDirectory, type Harness } from '../directory-harness.js';

const log = pino({ level: 'silent' });

/** A join seated here (not sent to another worker or host). */
function seated(r: JoinResult): Extract<JoinResult, { session: unknown }> {
  if (!('session' in r)) throw new Error(`expected a seat, got ${JSON.stringify(r)}`);
  return r;
}
let redis: TestRedis;
let r: Redis;
let h: Harness;
beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
});
afterAll(async () => redis?.stop());
beforeEach(async () => {
  await r.flushdb();
  h = await openDirectory();
  // This host's live workers are slots 0 and 1; the dead host's room ran in its slot 5.
  h.dir.workerJoined(0);
  h.dir.workerJoined(1);
});
afterEach(async () => h.close());

/** Writes a room of host `host` as the store lane's RedisStore does; returns its players' tokens. */
async function deadHostRoom(host: string, room: string, players: Array<[string, number]>): Promise<string[]> {
  const tokens: string[] = [];
  const m = r.multi();
  m.hset(KEYS.room, room, JSON.stringify({ id: room, slot: 5, capacity: 8, game: 'arena', host }));
  m.hset(KEYS.snapshot, room, pack({ game: 'arena', v: 1, tick: 4242, state: { coins: [[1, 10, 10]] } }));
  m.sadd(KEYS.hostRooms(host), room, 'other-room');
  players.forEach(([name, score], i) => {
    const token = `tok-${room}-${i}`;
    tokens.push(token);
    const s: SessionRecord = { id: `p${room}${i}`, tokenHash: hashToken(token), name, room, score };
    m.hset(KEYS.session, s.id, JSON.stringify(s));
    m.hset(KEYS.token, s.tokenHash, s.id);
    m.sadd(KEYS.roomSessions(room), s.id);
  });
  await m.exec();
  return tokens;
}

const adopterFor = (held: Array<[string, number]>) =>
  new RedisAdopter(r, h.dir, { hostId: 'b', roomCapacity: 16, holds: (room, epoch) => held.push([room, epoch]), log });

describe('adopting a dead host\'s room', () => {
  it('brings the room, its snapshot and every seated session (with its score) onto a live local worker; a token resumes there', async () => {
    const tokens = await deadHostRoom('a', 'reef', [['ann', 7], ['bob', 12]]);
    const held: Array<[string, number]> = [];
    await adopterFor(held).adopt('reef', 'a', 41);
    const rec = h.dir.placement.room('reef')!;
    expect(rec).toMatchObject({ id: 'reef', capacity: 8, game: 'arena' });
    expect([0, 1]).toContain(rec.slot);
    expect(rec.snapshot).toEqual({ game: 'arena', v: 1, tick: 4242, state: { coins: [[1, 10, 10]] } });
    expect(held).toEqual([['reef', 41]]);
    // The resume path: the token is known here now, with the score Redis held.
    const back = seated(h.dir.join({ slot: rec.slot, name: 'bob', token: tokens[1]! }));
    expect(back).toMatchObject({ resumed: true, session: { name: 'bob', score: 12 }, room: { id: 'reef', slot: rec.slot } });
    expect(h.dir.sessionsOfRoom('reef').map((s) => [s.name, s.score]).sort()).toEqual([['ann', 7], ['bob', 12]]);
    // A resume that lands on the other local worker is sent to the one that runs the room.
    const other = rec.slot === 0 ? 1 : 0;
    expect(h.dir.join({ slot: other, name: 'ann', token: tokens[0]! })).toEqual({ redirect: rec.slot });
    // The dead host's index lists it no more (this host's store write lists it under b).
    expect(await r.smembers(KEYS.hostRooms('a'))).toEqual(['other-room']);
    // The room record is written as this host's (store append): the file store here has it.
    expect((await h.stored()).rooms.map((x) => x.id)).toContain('reef');
  });

  it('players of one room resuming at once share one adoption; a room already here is not read again', async () => {
    await deadHostRoom('a', 'kelp', [['cy', 3]]);
    const held: Array<[string, number]> = [];
    const adopter = adopterFor(held);
    const calls: string[] = [];
    const spy = r.pipeline.bind(r);
    r.pipeline = ((...a: Parameters<typeof r.pipeline>) => {
      calls.push('pipeline');
      return spy(...a);
    });
    try {
      await Promise.all([adopter.adopt('kelp', 'a', 9), adopter.adopt('kelp', 'a', 9), adopter.adopt('kelp', 'a', 9)]);
      await adopter.adopt('kelp', 'a', 9);
    } finally {
      r.pipeline = spy;
    }
    expect(calls).toEqual(['pipeline']);
    expect(h.dir.sessionsOfRoom('kelp')).toHaveLength(1);
  });

  it('a room nothing is left of is not made up: the resume finds no session (BAD_TOKEN)', async () => {
    await adopterFor([]).adopt('gone', 'a', 3);
    expect(h.dir.placement.room('gone')).toBeUndefined();
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'x', token: 'tok-gone-0' }))).toBe('BAD_TOKEN');
  });

  it('with no live worker here the adoption is refused (UNAVAILABLE) and nothing is taken', async () => {
    await deadHostRoom('a', 'cove', [['dee', 1]]);
    h.dir.workerLeft(0);
    h.dir.workerLeft(1);
    await expect(adopterFor([]).adopt('cove', 'a', 2)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(h.dir.placement.room('cove')).toBeUndefined();
    expect(await r.smembers(KEYS.hostRooms('a'))).toContain('cove');
  });
});

/** A heartbeat the test lapses and renews by hand. */
function manualHeartbeat() {
  const lost: Array<() => void> = [];
  const renewed: Array<() => void> = [];
  const hb: HeartbeatEvents = { onLost: (fn) => lost.push(fn), onRenewed: (fn) => renewed.push(fn) };
  return { hb, lapse: () => lost.forEach((f) => f()), renew: () => renewed.forEach((f) => f()) };
}

const owner = (room: string, host: string, epoch: number) => r.set(KEYS.owner(room), JSON.stringify({ host, epoch }));

describe('fencing', () => {
  it('a room another host owns now is forgotten here (nothing written) and dropped by the workers; its token no longer resumes here', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'mine' }));
    const b = seated(h.dir.join({ slot: 0, name: 'bob', room: 'taken' }));
    seated(h.dir.join({ slot: 1, name: 'cy', room: 'unclaimed' }));
    await owner('mine', 'b', 10);
    await owner('taken', 'b', 11);
    const dropped: string[][] = [];
    const f = new Fencing(r, h.dir, { hostId: 'b', ttlMs: 60_000, drop: (ids) => dropped.push(ids), log });
    f.holds('taken', 11);
    expect(await f.check()).toEqual([]);
    // Host c claims `taken` (b looked dead to it), at a newer epoch.
    await owner('taken', 'c', 12);
    const before = (await h.stored()).sessions.length;
    expect(await f.check()).toEqual(['taken']);
    expect(dropped).toEqual([['taken']]);
    expect(h.dir.placement.room('taken')).toBeUndefined();
    expect(codeOf(() => h.dir.join({ slot: 0, name: 'bob', token: b.token }))).toBe('BAD_TOKEN');
    // Nothing written: the sessions in the store are the new owner's to end.
    expect((await h.stored()).sessions.length).toBe(before);
    // This host at a newer epoch (its gate gave the claim up and took it again) is still this host's.
    f.holds('mine', 10);
    await owner('mine', 'b', 13);
    expect(await f.check()).toEqual([]);
    expect(seated(h.dir.join({ slot: 0, name: 'ann', token: a.token })).room.id).toBe('mine');
    // A room nobody claimed stays.
    expect(h.dir.placement.room('unclaimed')).toBeDefined();
  });

  it('a lapsed heartbeat drops every room and refuses every join; renewed, the rooms still this host\'s play on and the rest are forgotten', async () => {
    const a = seated(h.dir.join({ slot: 0, name: 'ann', room: 'keep' }));
    const b = seated(h.dir.join({ slot: 1, name: 'bob', room: 'lose' }));
    await owner('keep', 'b', 1);
    await owner('lose', 'b', 2);
    const dropped: string[][] = [];
    const f = new Fencing(r, h.dir, { hostId: 'b', ttlMs: 60_000, drop: (ids) => dropped.push(ids), log });
    const m = manualHeartbeat();
    f.start(m.hb);
    try {
      await f.check();
      m.lapse();
      expect(f.selfFenced).toBe(true);
      expect(dropped).toEqual([['keep', 'lose']]);
      expect(codeOf(() => h.dir.join({ slot: 0, name: 'ann', token: a.token }))).toBe('UNAVAILABLE');
      expect(codeOf(() => h.dir.join({ slot: 0, name: 'new', room: 'keep' }))).toBe('UNAVAILABLE');
      // Meanwhile host c took `lose`.
      await owner('lose', 'c', 3);
      m.renew();
      await expect.poll(() => f.selfFenced).toBe(false);
      expect(dropped).toEqual([['keep', 'lose'], ['lose']]);
      expect(seated(h.dir.join({ slot: 0, name: 'ann', token: a.token })).room.id).toBe('keep');
      expect(codeOf(() => h.dir.join({ slot: 1, name: 'bob', token: b.token }))).toBe('BAD_TOKEN');
    } finally {
      f.stop();
    }
  });
});
