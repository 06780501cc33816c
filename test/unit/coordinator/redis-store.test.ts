// RedisStore (server/coordinator/store/redis-store.ts) under a Directory, in process, against a
// real redis-server (appendfsync always): what a host writes is in the agreed shapes and comes
// back when it opens again; a host loads only its own rooms, sessions and host-scoped kv; every
// host's scores add up in one ZSET and a resent score adds nothing; session numbers never repeat
// across hosts; with Redis gone an append throws STORE_UNAVAILABLE at once, and a write that was
// on its way when Redis died is sent again once it is back; another host reads a room as its host
// left it and takes it over; sessions nobody vouches for expire.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config/load.js';
import { parseStore } from '../../../server/config/store-url.js';
import { KEYS } from '../../../server/coordinator/redis/keys.js';
import { connectRedis, openRedis } from '../../../server/coordinator/redis/connect.js';
import { Directory } from '../../../server/coordinator/directory/directory.js';
import { PLAYER_BLOCK } from '../../../server/coordinator/store/player-numbers.js';
import { RedisStore } from '../../../server/coordinator/store/redis-store.js';
import { hashToken } from '../../../server/coordinator/store/token-hash.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { codeOf, seated } from './directory-harness.js';

const log = pino({ level: 'silent' });
let redis: TestRedis;
let raw: Redis;
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-redis-store-'));
const config = loadConfig(['--data', data], {}).config;
const opened: Array<{ store: RedisStore }> = [];

interface Host {
  store: RedisStore;
  dir: Directory;
  client: Redis;
  health: Array<{ ok: boolean; reason?: string }>;
}

async function openHost(id: string): Promise<Host> {
  const where = parseStore(redis.url);
  if (where.kind !== 'redis') throw new Error('not a redis url');
  const holder: { store?: RedisStore } = {};
  const client = openRedis(where, { timeoutMs: 2000, name: `test-${id}`, log, onHealth: (ok) => holder.store?.connectionChanged(ok) });
  await connectRedis(client, where);
  const health: Host['health'] = [];
  const store = new RedisStore(client, { hostId: id, graceMs: 30_000, onHealth: (h) => health.push(h) });
  holder.store = store;
  opened.push({ store });
  const saved = await store.open();
  const dir = new Directory(saved, store, config);
  dir.workerJoined(0);
  return { store, dir, client, health };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('RedisStore on a real redis-server', () => {
  beforeAll(async () => {
    redis = await startRedis({ appendfsync: 'always' });
    raw = redis.client();
  });
  afterAll(async () => {
    for (const h of opened) await h.store.close().catch(() => {});
    await redis.stop();
    fs.rmSync(data, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const h of opened.splice(0)) await h.store.close().catch(() => {});
    await raw.flushdb();
  });

  it('writes the agreed records and a host that opens again gets its rooms, sessions, scores and snapshots back', async () => {
    const a = await openHost('hostA');
    const ann = seated(a.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    const bob = seated(a.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    a.dir.scores([[ann.session.id, 5], [bob.session.id, 2]]);
    a.dir.scores([[ann.session.id, 7]]);
    a.dir.snapshot([['den', { v: 1, game: 'arena', state: { coins: [1, 2, 3] } }]]);
    await a.store.checkpoint(a.dir.snapshotState());
    await a.store.sync();

    // The shapes other hosts (and the cluster lane) read directly.
    const rec = JSON.parse((await raw.hget(KEYS.session, ann.session.id))!) as Record<string, unknown>;
    expect(rec).toMatchObject({ id: ann.session.id, name: 'ann', room: 'den', score: 7, tokenHash: hashToken(ann.token) });
    expect(await raw.hget(KEYS.token, hashToken(ann.token))).toBe(ann.session.id);
    expect(JSON.parse((await raw.hget(KEYS.room, 'den'))!)).toMatchObject({ id: 'den', slot: 0, host: 'hostA', game: 'arena' });
    expect((await raw.smembers(KEYS.roomSessions('den'))).sort()).toEqual([ann.session.id, bob.session.id].sort());
    expect(await raw.smembers(KEYS.hostRooms('hostA'))).toEqual(['den']);
    expect(unpack((await raw.hgetBuffer(KEYS.snapshot, 'den'))!)).toEqual({ v: 1, game: 'arena', state: { coins: [1, 2, 3] } });
    expect(await raw.zrevrange(KEYS.lb, 0, -1, 'WITHSCORES')).toEqual(['ann', '7', 'bob', '2']);

    // The host stops and starts again (nothing on disk): all of it comes back from Redis.
    await a.store.close();
    const again = await openHost('hostA');
    const back = seated(again.dir.join({ slot: 0, name: 'ann', token: ann.token }));
    expect(back.resumed).toBe(true);
    expect(back.session.score).toBe(7);
    expect(back.room.snapshot).toEqual({ v: 1, game: 'arena', state: { coins: [1, 2, 3] } });
    expect(again.dir.sessionsOfRoom('den').map((s) => s.name).sort()).toEqual(['ann', 'bob']);

    // A session that ends takes its records along; the last one out takes the room.
    again.dir.leave(ann.session.id);
    again.dir.leave(bob.session.id);
    await again.store.sync();
    expect(await raw.hlen(KEYS.session)).toBe(0);
    expect(await raw.hlen(KEYS.token)).toBe(0);
    expect(await raw.hexists(KEYS.room, 'den')).toBe(0);
    expect(await raw.hexists(KEYS.snapshot, 'den')).toBe(0);
    expect(await raw.exists(KEYS.roomSessions('den'), KEYS.hostRooms('hostA'))).toBe(0);
    // Its scores stay on the board.
    expect(await raw.zscore(KEYS.lb, 'ann')).toBe('7');
  });

  it('a host loads only its own rooms and host-scoped kv; world kv and the leaderboard are shared; ids never repeat', async () => {
    const a = await openHost('hostA');
    const b = await openHost('hostB');
    const ann = seated(a.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    const cy = seated(b.dir.join({ slot: 0, name: 'cy', room: 'cave' }));
    // The same name on two hosts is one line on the board; each host adds its difference.
    const ann2 = seated(b.dir.join({ slot: 0, name: 'ann', room: 'cave' }));
    expect(new Set([ann.session.id, cy.session.id, ann2.session.id]).size).toBe(3);
    a.dir.scores([[ann.session.id, 4]]);
    b.dir.scores([[ann2.session.id, 3], [cy.session.id, 1]]);
    // A resend (after a coordinator restart, or a retried MULTI) adds nothing.
    b.dir.commit([{ k: 'score', id: ann2.session.id, score: 3 }]);
    a.dir.placement.drain(0, 'run1');
    a.dir.commit([{ k: 'kv', ns: 'bans', key: '10.0.0.9', value: { until: null, at: 1 } }]);
    await a.store.sync();
    await b.store.sync();
    expect(await raw.zscore(KEYS.lb, 'ann')).toBe('7');
    expect(await raw.hget(KEYS.hostKv('hostA', 'drained'), '0')).toBe(JSON.stringify({ run: 'run1' }));

    const b2 = await openHost('hostB');
    expect(b2.dir.rooms().map((r) => r.id)).toEqual(['cave']);
    expect(b2.dir.sessionsOfRoom('cave').map((s) => s.name).sort()).toEqual(['ann', 'cy']);
    expect(b2.dir.sessions.get(ann.session.id)).toBeUndefined();
    expect(b2.dir.placement.isDrained(0)).toBe(false);
    expect(b2.dir.ix.kv.get('bans')?.get('10.0.0.9')).toEqual({ until: null, at: 1 });
    expect(b2.dir.ix.leaderboard.get('ann')).toBe(7);
    const a2 = await openHost('hostA');
    expect(a2.dir.placement.isDrained(0)).toBe(true);
    expect(a2.dir.rooms().map((r) => r.id)).toEqual(['den']);
    // Many new sessions on both hosts, past one block each: numbers from separate blocks, never the same.
    const ids = new Set<string>();
    const n = PLAYER_BLOCK + 100;
    for (let i = 0; i < n; i++) {
      ids.add(seated(a2.dir.join({ slot: 0, name: `a${i}` })).session.id);
      ids.add(seated(b2.dir.join({ slot: 0, name: `b${i}` })).session.id);
      // Joins arrive over the event loop: the next block is taken meanwhile.
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 1));
    }
    expect(ids.size).toBe(2 * n);
  });

  it('with redis gone an append throws STORE_UNAVAILABLE at once; a MULTI on its way is sent again when it is back', async () => {
    const a = await openHost('hostA');
    const ann = seated(a.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    await a.store.sync();
    // A score appended in the same turn as Redis dies: its MULTI fails on the way.
    const killed = redis.kill();
    a.dir.scores([[ann.session.id, 9]]);
    await killed;
    await expect(a.store.sync()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await until(() => a.health.some((h) => !h.ok));
    expect(a.store.health().ok).toBe(false);
    // Refused at once, as a full disk does: the join gets no session.
    expect(codeOf(() => a.dir.join({ slot: 0, name: 'bob', room: 'den' }))).toBe('STORE_UNAVAILABLE');
    expect(codeOf(() => a.dir.scores([[ann.session.id, 10]]))).toBe('STORE_UNAVAILABLE');
    await redis.start();
    await until(() => a.store.health().ok);
    expect(a.health.at(-1)).toEqual({ ok: true });
    expect(JSON.parse((await raw.hget(KEYS.session, ann.session.id))!).score).toBe(9);
    expect(await raw.zscore(KEYS.lb, 'ann')).toBe('9');
    // And it writes again (the scripts were loaded again into the restarted Redis).
    a.dir.scores([[ann.session.id, 10]]);
    await a.store.sync();
    expect(await raw.zscore(KEYS.lb, 'ann')).toBe('10');
  });

  it('another host reads a room as its host left it (record, host, snapshot, seated sessions with scores), and taking it over makes it its own', async () => {
    const a = await openHost('hostA');
    const ann = seated(a.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    seated(a.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    a.dir.scores([[ann.session.id, 6]]);
    a.dir.snapshot([['den', { v: 3 }]]);
    await a.store.checkpoint(a.dir.snapshotState());
    await a.store.sync();
    const b = await openHost('hostB');
    const [den] = await b.store.readRooms(['den', 'nowhere']);
    expect(den!.host).toBe('hostA');
    expect(den!.room).toMatchObject({ id: 'den', game: 'arena', snapshot: { v: 3 } });
    expect(den!.sessions.map((x) => [x.name, x.score]).sort()).toEqual([['ann', 6], ['bob', 0]]);
    // hostB takes it over (as failover will): written as hostB's; hostA no longer loads it.
    b.dir.commit([{ k: 'room', r: den!.room }, ...den!.sessions.map((x) => ({ k: 'session' as const, s: x }))]);
    await b.store.sync();
    expect(JSON.parse((await raw.hget(KEYS.room, 'den'))!)).toMatchObject({ host: 'hostB' });
    expect(await raw.smembers(KEYS.hostRooms('hostB'))).toEqual(['den']);
    await a.store.close();
    const a2 = await openHost('hostA');
    expect(a2.dir.rooms()).toEqual([]);
    // And hostA's old claim does not delete hostB's room when it lets go of it.
    a2.dir.commit([{ k: 'roomGone', id: 'den' }]);
    await a2.store.sync();
    expect(await raw.hexists(KEYS.room, 'den')).toBe(1);
    expect(await raw.smembers(KEYS.hostRooms('hostA'))).toEqual([]);
  });

  it('sessions no host vouched for within the grace and margin are forgotten; vouched ones stay', async () => {
    const a = await openHost('hostA');
    const ann = seated(a.dir.join({ slot: 0, name: 'ann', room: 'den' }));
    const bob = seated(a.dir.join({ slot: 0, name: 'bob', room: 'den' }));
    await a.store.sync();
    const now = Date.now();
    // ann's host vouches for her later; nobody for bob (as if his host died).
    await a.store.refreshSessions([ann.session.id], now + 3_600_000);
    expect(await a.store.expireSessions(now + 1_800_000)).toBe(1);
    expect(await raw.hexists(KEYS.session, bob.session.id)).toBe(0);
    expect(await raw.hexists(KEYS.token, hashToken(bob.token))).toBe(0);
    expect(await raw.smembers(KEYS.roomSessions('den'))).toEqual([ann.session.id]);
    expect(await raw.hexists(KEYS.session, ann.session.id)).toBe(1);
  });
});
