// The gate (--store redis: where a hello goes when many hosts share one world), in process: two
// hosts' directories (each on its own real FileStore) and gates sharing one real redis-server.
// Named rooms are claimed before they are made (a race for one name gives one room), a room a live
// host runs is answered with that host's address, an orphan is claimed and adopted (or refused
// while no adopter exists, leaving no claim behind), quick-join prefers a local free seat, then a
// remote one, then a new local room (claimed, offered to other hosts while it has a free seat,
// released when it ends), a resume finds another host's session through Redis.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Adopter } from '../../../../server/coordinator/cluster/adopt.js';
import { notYetAdopting } from '../../../../server/coordinator/cluster/adopt.js';
import type { Gate } from '../../../../server/coordinator/gate/gate.js';
import { KEYS } from '../../../../server/coordinator/redis/keys.js';
import type { OpenIndex } from '../../../../server/coordinator/cluster/open-index.js';
import { Ownership } from '../../../../server/coordinator/cluster/ownership.js';
import { assembleGate } from '../../../../server/coordinator/start/open-gate.js';
import { hashToken } from '../../../../server/coordinator/store/token-hash.js';
import { createLogger } from '../../../../server/log/logger.js';
import type { JoinArgs, JoinResult } from '../../../../server/ipc/coordinator-ops.js';
import { startRedis, type TestRedis } from '../../../helpers/redis.js';
import { openDirectory, type Harness } from '../directory-harness.js';

const log = createLogger('coordinator', 'silent');
const FOUR = { game: 'four', seats: 2, capacity: 5 } as const;
const ADDR = { A: '127.0.0.2:7001', B: '127.0.0.3:7002' } as const;

let redis: TestRedis;
let r: Redis;
beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

interface Host {
  id: 'A' | 'B';
  h: Harness;
  gate: Gate;
  index: OpenIndex;
  join(a: Partial<JoinArgs>): Promise<JoinResult>;
  /** A quick-join as the primary routes it and the worker joins it. */
  quick(name: string): Promise<JoinResult>;
}

const alive = (id: string) => r.set(KEYS.host(id), JSON.stringify({ id, advertise: ADDR[id as 'A'], players: 0, rooms: 0, at: Date.now() }), 'PX', 60_000);

async function host(id: 'A' | 'B', adopter: Adopter = notYetAdopting): Promise<Host> {
  const h = await openDirectory();
  h.dir.workerJoined(0);
  const { gate, index } = await assembleGate(r, h.dir, id, adopter, log);
  await alive(id);
  const join = (a: Partial<JoinArgs>) => gate.join({ slot: 0, name: 'p', ...a });
  return {
    id, h, gate, index, join,
    quick: (name) => {
      const routed = h.dir.route({ game: 'four' });
      return join({ name, hint: routed.room, ...FOUR });
    },
  };
}

function seated(x: JoinResult) {
  if (!('session' in x)) throw new Error(`expected a seat, got ${JSON.stringify(x)}`);
  return x;
}
async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'NO_CODE';
  }
  return undefined;
}
const owner = async (room: string) => JSON.parse((await r.get(KEYS.owner(room))) ?? 'null') as { host: string; epoch: number } | null;
const openEntry = async (game: string, room: string) => JSON.parse((await r.hget(KEYS.open(game), room)) ?? 'null') as { host: string; free: number } | null;
/** The index is written at the end of the turn the change happened in. */
const flushed = async (...hosts: Host[]) => {
  await new Promise((res) => setImmediate(res));
  for (const x of hosts) await x.index.flush();
};

let A: Host;
let B: Host;
beforeEach(async () => {
  await r.flushdb();
  A = await host('A');
  B = await host('B');
});
afterEach(async () => {
  A.index.close();
  B.index.close();
  await A.h.close();
  await B.h.close();
});

describe('a hello naming a room', () => {
  it('makes a room no host runs here, claimed first; another host sends its players here', async () => {
    const a = seated(await A.join({ room: 'lobby' }));
    expect(a.room.id).toBe('lobby');
    expect((await owner('lobby'))?.host).toBe('A');
    expect(await B.join({ room: 'lobby' })).toEqual({ elsewhere: ADDR.A });
    expect(B.h.dir.placement.room('lobby')).toBeUndefined();
  });

  it('two hosts making one room name at once: one room, the other host redirects to it', async () => {
    for (let i = 0; i < 10; i++) {
      const name = `race-${i}`;
      const [x, y] = await Promise.all([A.join({ room: name }), B.join({ room: name })]);
      const won = [x, y].filter((v) => 'session' in v);
      expect(won).toHaveLength(1);
      const winner = 'session' in x ? A : B;
      const loser = winner === A ? y : x;
      expect(loser).toEqual({ elsewhere: ADDR[winner.id] });
      expect((await owner(name))?.host).toBe(winner.id);
      expect((winner === A ? B : A).h.dir.placement.room(name)).toBeUndefined();
    }
  });

  it("a dead host's room is claimed and adopted before the join; with no adopter yet, UNAVAILABLE and no claim left", async () => {
    seated(await A.join({ room: 'lobby' }));
    const before = (await owner('lobby'))!.epoch;
    await r.del(KEYS.host('A'));
    expect(await codeOf(B.join({ room: 'lobby' }))).toBe('UNAVAILABLE');
    expect(await owner('lobby')).toBeNull();
    expect(B.h.dir.placement.room('lobby')).toBeUndefined();

    // An adopter (the failover lane's) is handed the room, the dead host and the new epoch.
    await alive('A');
    seated(await A.join({ room: 'lobby3' }));
    const was = (await owner('lobby3'))!.epoch;
    expect(was).toBeGreaterThan(before);
    await r.del(KEYS.host('A'));
    const calls: unknown[] = [];
    const C = await host('B', { adopt: (room, from, epoch) => Promise.resolve(void calls.push([room, from, epoch])) });
    const c = seated(await C.join({ room: 'lobby3' }));
    expect(c.room.id).toBe('lobby3');
    const now = (await owner('lobby3'))!;
    expect(now.host).toBe('B');
    expect(now.epoch).toBeGreaterThan(was);
    expect(calls).toEqual([['lobby3', 'A', now.epoch]]);
    C.index.close();
    await C.h.close();
  });

  it("players of a dead host's room arriving together or during its adoption: adopted once, none seated before it is done", async () => {
    await alive('A');
    seated(await A.join({ room: 'wreck' }));
    await r.del(KEYS.host('A'));
    let adopted = false;
    let calls = 0;
    const slow: Adopter = {
      adopt: async () => {
        calls++;
        await new Promise((res) => setTimeout(res, 200));
        adopted = true;
      },
    };
    const C = await host('B', slow);
    const joined = (v: JoinResult) => [seated(v).room.id, adopted];
    // Two at once (both claim), and a third once the claim is held and the adoption under way.
    const first = [C.join({ name: 'x', room: 'wreck' }).then(joined), C.join({ name: 'y', room: 'wreck' }).then(joined)];
    await new Promise((res) => setTimeout(res, 100));
    expect(adopted).toBe(false);
    const seen = await Promise.all([...first, C.join({ name: 'z', room: 'wreck' }).then(joined)]);
    expect(seen).toEqual([['wreck', true], ['wreck', true], ['wreck', true]]);
    expect(calls).toBe(1);
    C.index.close();
    await C.h.close();
  });

  it('a quick-join that cannot reach Redis, or whose new room cannot be claimed, leaves nobody seated', async () => {
    await redis.kill();
    try {
      expect(await codeOf(A.quick('q'))).toBe('UNAVAILABLE');
    } finally {
      await redis.start();
    }
    expect(A.h.dir.sessions.count).toBe(0);
    // The claim itself fails (its script cannot read the owner key) after the room was made here.
    const routed = A.h.dir.route({ game: 'four' });
    await r.set(KEYS.owner(routed.room!), 'not json');
    expect(await codeOf(A.join({ name: 'q', hint: routed.room, ...FOUR }))).toBe('UNAVAILABLE');
    expect(A.h.dir.rooms()).toEqual([]);
    expect(A.h.dir.sessions.count).toBe(0);
  });

  it('a join that makes no room gives the claim back (WRONG_GAME is not reached; ROOM_LIMIT is)', async () => {
    const h = await openDirectory(['--rooms-per-address-per-minute', '1']);
    h.dir.workerJoined(0);
    const { gate, index } = await assembleGate(r, h.dir, 'A', notYetAdopting, log);
    seated(await gate.join({ slot: 0, name: 'x', room: 'one', address: '10.0.0.1' }));
    expect(await codeOf(gate.join({ slot: 0, name: 'y', room: 'two', address: '10.0.0.1' }))).toBe('ROOM_LIMIT');
    expect(await owner('two')).toBeNull();
    expect((await owner('one'))?.host).toBe('A');
    index.close();
    await h.close();
  });
});

describe('quick-join', () => {
  it('a local free seat first, then a free seat on another live host, else a new local room', async () => {
    // Nowhere a seat: a new room here, claimed, offered with its one free seat.
    const p1 = seated(await B.quick('p1'));
    await flushed(B);
    expect((await owner(p1.room.id))?.host).toBe('B');
    expect(await openEntry('four', p1.room.id)).toEqual({ host: 'B', free: 1 });

    // A has no seat of its own: sent to B's.
    expect(await A.quick('p2')).toEqual({ elsewhere: ADDR.B });
    // ...which, played there, fills it: the entry goes.
    seated(await B.quick('p2'));
    await flushed(B);
    expect(await openEntry('four', p1.room.id)).toBeNull();

    // None anywhere: a new room on A; then B's player is sent to it.
    const p3 = seated(await A.quick('p3'));
    await flushed(A);
    expect(await openEntry('four', p3.room.id)).toEqual({ host: 'A', free: 1 });
    expect(await B.quick('p4')).toEqual({ elsewhere: ADDR.A });

    // A free seat on both hosts: the local one wins.
    seated(await B.join({ name: 'p5', room: 'b-four', ...FOUR }));
    await flushed(B);
    expect(await openEntry('four', 'b-four')).toEqual({ host: 'B', free: 1 });
    const p6 = seated(await A.quick('p6'));
    expect(p6.room.id).toBe(p3.room.id);
  });

  it("a dead host's rooms are not offered; a room closed by its game is not offered", async () => {
    const p1 = seated(await B.quick('p1'));
    await flushed(B);
    await r.del(KEYS.host('B'));
    const a = seated(await A.quick('a'));
    expect(a.room.id).not.toBe(p1.room.id);
    expect(A.h.dir.placement.room(a.room.id)).toBeDefined();

    await alive('B');
    A.h.dir.setRoomOpen(a.room.id, false, 0);
    await flushed(A);
    expect(await openEntry('four', a.room.id)).toBeNull();
    // B's own room is still offered (its host is back): A's next player goes there.
    expect(await A.quick('c')).toEqual({ elsewhere: ADDR.B });
  });

  it("the other hosts' room with the fewest free seats is offered first, so rooms fill up", async () => {
    const G3 = { game: 'trio', seats: 3, capacity: 3 } as const;
    seated(await B.join({ name: 'x1', room: 'roomy', ...G3 }));
    seated(await B.join({ name: 'y1', room: 'nearly', ...G3 }));
    seated(await B.join({ name: 'y2', room: 'nearly', ...G3 }));
    seated(await A.join({ name: 'z1', room: 'own', ...G3 }));
    await flushed(A, B);
    expect(await openEntry('trio', 'roomy')).toEqual({ host: 'B', free: 2 });
    expect(await openEntry('trio', 'nearly')).toEqual({ host: 'B', free: 1 });
    // A's own room is not "remote", however full.
    expect(await A.index.pickRemote('trio')).toEqual({ room: 'nearly', advertise: ADDR.B });
    expect(await B.index.pickRemote('trio')).toEqual({ room: 'own', advertise: ADDR.A });
  });

  it("a room whose worker is gone is not offered until the worker is back and reports it", async () => {
    const p = seated(await A.quick('p'));
    await flushed(A);
    expect(await openEntry('four', p.room.id)).toEqual({ host: 'A', free: 1 });
    A.h.dir.workerLeft(0);
    await flushed(A);
    expect(await openEntry('four', p.room.id)).toBeNull();
    A.h.dir.workerJoined(0, [{ id: p.room.id, players: [p.session.id] }]);
    await flushed(A);
    expect(await openEntry('four', p.room.id)).toEqual({ host: 'A', free: 1 });
  });

  it('a room that ends is released and leaves the index', async () => {
    const p = seated(await A.quick('p'));
    await flushed(A);
    expect(await openEntry('four', p.room.id)).not.toBeNull();
    A.h.dir.leave(p.session.id);
    await flushed(A);
    await new Promise((res) => setTimeout(res, 50));
    expect(await owner(p.room.id)).toBeNull();
    expect(await openEntry('four', p.room.id)).toBeNull();
  });

  it("a made-up room id another host holds is not run here: the player gets a room of another id", async () => {
    const routed = A.h.dir.route({ game: 'four' });
    await new Ownership(r, 'B').claim(routed.room!);
    const p = seated(await A.join({ name: 'p', hint: routed.room, ...FOUR }));
    expect(p.room.id).not.toBe(routed.room);
    expect(A.h.dir.placement.room(routed.room!)).toBeUndefined();
    expect((await owner(routed.room!))?.host).toBe('B');
    expect((await owner(p.room.id))?.host).toBe('A');
  });
});

describe('a resume', () => {
  it("at a host that does not hold the session: sent to the host running its room; a token known nowhere is BAD_TOKEN", async () => {
    const a = seated(await A.join({ room: 'lobby' }));
    // The store lane keeps every session in Redis; written here as it does.
    await r.hset(KEYS.token, hashToken(a.token), a.session.id);
    await r.hset(KEYS.session, a.session.id, JSON.stringify({ ...a.session }));
    expect(await B.join({ token: a.token })).toEqual({ elsewhere: ADDR.A });
    expect(await codeOf(B.join({ token: 'not-a-token' }))).toBe('BAD_TOKEN');
    // At its own host it resumes.
    const back = seated(await A.join({ token: a.token }));
    expect(back.resumed).toBe(true);
    expect(back.room.id).toBe('lobby');
  });

  it('a host whose Redis is away refuses joins that need it with UNAVAILABLE, and still seats a player in a room it holds', async () => {
    const a = seated(await A.join({ room: 'lobby' }));
    await redis.kill();
    try {
      expect(await codeOf(A.join({ room: 'elsewhere-room' }))).toBe('UNAVAILABLE');
      const back = seated(await A.join({ token: a.token }));
      expect(back.room.id).toBe('lobby');
    } finally {
      await redis.start();
    }
  });
});
