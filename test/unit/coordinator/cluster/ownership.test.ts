// Room ownership on a real redis-server: a room stays with a live owner, goes to the claimant when
// it has no owner or its owner's heartbeat is gone, with epochs that only grow; release gives up
// only this host's own claim; lost() names the rooms another host has taken since.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS } from '../../../../server/coordinator/redis/keys.js';
import { Ownership } from '../../../../server/coordinator/cluster/ownership.js';
import { startRedis, type TestRedis } from '../../../helpers/redis.js';

let redis: TestRedis;
let r: Redis;
beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

const alive = (host: string) => r.set(KEYS.host(host), '{}', 'PX', 60_000);
const dies = (host: string) => r.del(KEYS.host(host));

describe('Ownership', () => {
  it('a free room goes to its first claimant; a live owner keeps it; a dead owner loses it to a newer epoch', async () => {
    const a = new Ownership(r, 'a');
    const b = new Ownership(r, 'b');
    await alive('a');
    await alive('b');
    expect(await a.locate('lobby')).toEqual({ at: 'nowhere' });
    const first = await a.claim('lobby');
    expect(first).toMatchObject({ at: 'here' });
    expect(first.from).toBeUndefined();
    expect(await a.claim('lobby')).toEqual({ at: 'here', epoch: first.epoch });
    expect(await b.claim('lobby')).toEqual({ at: 'elsewhere', host: 'a', epoch: first.epoch });
    expect(await b.locate('lobby')).toEqual({ at: 'elsewhere', host: 'a', epoch: first.epoch });
    await dies('a');
    expect(await b.locate('lobby')).toEqual({ at: 'orphan', host: 'a', epoch: first.epoch });
    const taken = await b.claim('lobby');
    expect(taken).toEqual({ at: 'here', epoch: expect.any(Number), from: 'a' });
    expect(taken.epoch).toBeGreaterThan(first.epoch);
    // The old owner comes back: the room is not its own any more.
    await alive('a');
    expect(await a.locate('lobby')).toEqual({ at: 'elsewhere', host: 'b', epoch: taken.epoch });
    expect(await a.lost([['lobby', first.epoch]])).toEqual(['lobby']);
    expect(await b.lost([['lobby', taken.epoch]])).toEqual([]);
  });

  it('only one of many simultaneous claimants of a free room gets it', async () => {
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];
    for (const h of hosts) await alive(h);
    const results = await Promise.all(hosts.map((h) => new Ownership(redis.client(), h).claim('contested')));
    expect(results.filter((x) => x.at === 'here')).toHaveLength(1);
    const winner = hosts[results.findIndex((x) => x.at === 'here')]!;
    for (const x of results) if (x.at === 'elsewhere') expect(x.host).toBe(winner);
  });

  it('release gives up only this host\'s own claim at that epoch', async () => {
    const a = new Ownership(r, 'a');
    const b = new Ownership(r, 'b');
    await alive('a');
    await alive('b');
    const c = await a.claim('short');
    expect(await b.release('short', c.epoch)).toBe(false);
    expect(await a.release('short', c.epoch + 1)).toBe(false);
    expect(await a.release('short', c.epoch)).toBe(true);
    expect(await b.locate('short')).toEqual({ at: 'nowhere' });
  });
});
