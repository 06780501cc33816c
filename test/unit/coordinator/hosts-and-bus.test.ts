// hosts.ts and bus.ts against a real redis-server: heartbeats with their TTL, the live set, a
// graceful stop, the lost-heartbeat event while Redis is away (and renewal after); world chat
// batched per turn and never echoed to its sender, commands asked of every other host and their
// answers, malformed messages dropped, and Redis away as a coded error (chat: logged once).
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisStore } from '../../../server/coordinator/redis/connect.js';
import { Hosts, lostMarginMs } from '../../../server/coordinator/cluster/hosts.js';
import { Bus } from '../../../server/coordinator/cluster/bus.js';
import type { BusChatLine, HostAnswer, HostCommand } from '../../../server/ipc/bus.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

/** A logger whose lines the test reads. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'info' }, out), lines };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await wait(20);
  }
}

describe('cluster: hosts and bus on a real redis-server', { timeout: 30_000 }, () => {
  let redis: TestRedis;
  let where: RedisStore;
  let check: Redis;
  const opened: Redis[] = [];
  const stops: Array<() => unknown> = [];
  const conn = async (name: string, log = capture().log) => {
    const r = openRedis(where, { timeoutMs: 500, name, log });
    opened.push(r);
    await r.connect();
    return r;
  };

  beforeAll(async () => {
    redis = await startRedis();
    where = { kind: 'redis', url: redis.url, host: '127.0.0.1', port: redis.port, db: 0 };
    check = redis.client();
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });
  afterAll(async () => {
    for (const r of opened) r.disconnect();
    await redis?.stop();
  });

  it('a host is live while its heartbeat key exists: live(), isLive, advertiseOf; a stop removes it at once', async () => {
    let players = 3;
    const h1 = new Hosts(await conn('h1'), { id: 'h1', advertise: '127.0.0.2:8000', ttlMs: 1200, counts: () => ({ players, rooms: 1 }), log: capture().log });
    const h2 = new Hosts(await conn('h2'), { id: 'h2', advertise: '127.0.0.3:8000', ttlMs: 1200, counts: () => ({ players: 0, rooms: 0 }), log: capture().log });
    h1.start();
    h2.start();
    stops.push(() => h1.stop(), () => h2.stop());
    await until('both live', async () => (await h1.live()).length === 2);
    const rows = await h2.live();
    expect(rows.map((r) => [r.id, r.advertise, r.players, r.rooms, r.self])).toEqual([
      ['h1', '127.0.0.2:8000', 3, 1, false],
      ['h2', '127.0.0.3:8000', 0, 0, true],
    ]);
    // The record is JSON readable in redis-cli, with its TTL.
    expect(JSON.parse((await check.get('shoal:host:h1'))!)).toMatchObject({ id: 'h1', advertise: '127.0.0.2:8000', players: 3, rooms: 1 });
    const pttl = await check.pttl('shoal:host:h1');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1200);
    expect(await check.sismember('shoal:hosts', 'h1')).toBe(1);
    expect(await h2.isLive('h1')).toBe(true);
    expect(await h2.advertiseOf('h1')).toBe('127.0.0.2:8000');
    expect(await h2.isLive('nobody')).toBe(false);
    expect(await h2.advertiseOf('nobody')).toBeNull();
    // Renewed every ttl/3 with what it counts then.
    players = 7;
    await until('renewed with 7 players', async () => (await h2.live()).find((r) => r.id === 'h1')?.players === 7, 3000);
    await h1.stop();
    expect(await check.exists('shoal:host:h1')).toBe(0);
    expect(await h2.isLive('h1')).toBe(false);
    expect((await h2.live()).map((r) => r.id)).toEqual(['h2']);
  });

  it('chat lines of one turn go out as one message, reach every other host and never come back to their sender', async () => {
    const b1 = new Bus(await conn('b1 pub'), await conn('b1 sub'), { hostId: 'b1', log: capture().log, askTimeoutMs: 1000 });
    const b2 = new Bus(await conn('b2 pub'), await conn('b2 sub'), { hostId: 'b2', log: capture().log, askTimeoutMs: 1000 });
    await Promise.all([b1.subscribe(), b2.subscribe()]);
    stops.push(() => b1.close(), () => b2.close());
    const got1: BusChatLine[][] = [];
    const got2: BusChatLine[][] = [];
    b1.onChat = (l) => got1.push(l);
    b2.onChat = (l) => got2.push(l);
    const raw: string[] = [];
    const spy = await conn('spy');
    await spy.subscribe('shoal:bus');
    spy.on('message', (_c: string, m: string) => raw.push(m));
    b1.chat({ from: 'p1', name: 'Ann', text: 'one', scope: 'world' });
    b1.chat({ from: 'p1', name: 'Ann', text: 'two', scope: 'world' });
    b1.chat({ from: 'server', name: 'server', text: 'three', scope: 'world', operator: true });
    await until('b2 got them', () => got2.length > 0);
    await wait(100);
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0]!)).toMatchObject({ t: 'chat', from: 'b1' });
    expect(got2).toEqual([[
      { from: 'p1', name: 'Ann', text: 'one', scope: 'world' },
      { from: 'p1', name: 'Ann', text: 'two', scope: 'world' },
      { from: 'server', name: 'server', text: 'three', scope: 'world', operator: true },
    ]]);
    expect(got1).toEqual([]);
    // Whatever else is published on the channel is dropped, not delivered half-checked.
    await check.publish('shoal:bus', 'not json');
    await check.publish('shoal:bus', JSON.stringify({ t: 'chat', from: 'x', lines: [{ from: 'p', name: 'n', text: 't', scope: 'room' }] }));
    await check.publish('shoal:bus', JSON.stringify({ t: 'chat', from: 'x', lines: [{ from: 'p', name: 'n', text: 7, scope: 'world' }] }));
    await check.publish('shoal:bus', JSON.stringify({ t: 'ask', from: 'x', req: 1, cmd: { k: 'eval', args: {} } }));
    await check.publish('shoal:bus', JSON.stringify({ t: 'chat', from: 'x', lines: [{ from: 'p', name: 'n', text: 'ok', scope: 'world', operator: 'yes' }] }));
    await until('the last one', () => got2.length === 2);
    expect(got2[1]).toEqual([{ from: 'p', name: 'n', text: 'ok', scope: 'world' }]);
  });

  it('ask: every other host answers; the asker counts who heard it and waits no longer than its time', async () => {
    // Live hosts, as hosts.ts would count them; a listener on the channel (the spy above, still
    // subscribed, as an operator's redis-cli would be) is not waited for.
    let live = 2;
    const mk = async (id: string, answer: (c: HostCommand) => Promise<HostAnswer>) => {
      const b = new Bus(await conn(`${id} pub`), await conn(`${id} sub`), { hostId: id, log: capture().log, askTimeoutMs: 800, others: () => Promise.resolve(live) });
      await b.subscribe();
      b.onAsk = answer;
      stops.push(() => b.close());
      return b;
    };
    const asked: string[] = [];
    const a = await mk('a', () => Promise.reject(new Error('a must not answer its own command')));
    await mk('b', (c) => {
      asked.push(`b:${c.k}`);
      return Promise.resolve(c.k === 'kick' && c.args.id === 'p7'
        ? { ok: true, data: { found: true, id: 'p7', name: 'Kim', room: 'r', worker: 0, address: '127.0.0.1', wasConnected: true } }
        : { ok: true, data: { found: false } });
    });
    await mk('c', (c) => {
      asked.push(`c:${c.k}`);
      return Promise.resolve({ ok: false, error: { code: 'BAD_ARGS', message: 'no' } });
    });
    let t0 = Date.now();
    const r = await a.ask('kick', { id: 'p7' });
    expect(r.asked).toBe(2);
    expect(r.replies).toHaveLength(2);
    expect(r.replies).toContainEqual({ host: 'b', ok: true, data: expect.objectContaining({ found: true, id: 'p7' }) });
    expect(r.replies).toContainEqual({ host: 'c', ok: false, error: { code: 'BAD_ARGS', message: 'no' } });
    expect(asked.sort()).toEqual(['b:kick', 'c:kick']);
    // A host that never answers: the asker returns after its time with the answers it has.
    expect(Date.now() - t0).toBeLessThan(700);
    await mk('d', () => new Promise(() => {}));
    live = 3;
    t0 = Date.now();
    const r2 = await a.ask('unban', { address: '10.0.0.1' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(r2.asked).toBe(3);
    expect(r2.replies.map((x) => x.host).sort()).toEqual(['b', 'c']);
  });

  it('with Redis away: ask is UNAVAILABLE, chat is logged once; the host is told its heartbeat is lost, then renewed', async () => {
    const cap = capture();
    const b = new Bus(await conn('e pub', cap.log), await conn('e sub', cap.log), { hostId: 'e', log: cap.log, askTimeoutMs: 500 });
    await b.subscribe();
    const ttl = 1500;
    const h = new Hosts(await conn('e hosts', cap.log), { id: 'e', advertise: '127.0.0.5:8000', ttlMs: ttl, counts: () => ({ players: 0, rooms: 0 }), log: cap.log });
    const events: Array<[string, number]> = [];
    let lastSeenRenewal = 0;
    h.onLost((e) => {
      lastSeenRenewal = e.lastRenewedAt;
      events.push(['lost', Date.now()]);
    });
    h.onRenewed(() => events.push(['renewed', Date.now()]));
    h.start();
    stops.push(() => h.stop(), () => b.close());
    await until('e live', () => h.isLive('e'));
    await wait(ttl);
    expect(events).toEqual([]);

    await redis.kill();
    await expect(b.ask('kick', { id: 'p1' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    b.chat({ from: 'p1', name: 'Ann', text: 'one', scope: 'world' });
    await wait(50);
    b.chat({ from: 'p1', name: 'Ann', text: 'two', scope: 'world' });
    await until('lost', () => events.length === 1, ttl * 3);
    // Fired ttl - margin after the last renewal that went out, before the key can have expired.
    const [kind, at] = events[0]!;
    expect(kind).toBe('lost');
    expect(at - lastSeenRenewal).toBeGreaterThanOrEqual(ttl - lostMarginMs(ttl) - 5);
    expect(at - lastSeenRenewal).toBeLessThan(ttl);
    expect(cap.lines.filter((l) => l.code === 'BUS_UNREACHABLE')).toHaveLength(1);
    expect(cap.lines.filter((l) => l.code === 'HOST_HEARTBEAT_LOST')).toHaveLength(1);

    await redis.start();
    await until('renewed', () => events.length === 2, 10_000);
    expect(events[1]![0]).toBe('renewed');
    await until('live again', () => h.isLive('e').catch(() => false));
    // The publishing connection reconnects on its own schedule (the hosts' one may be back first): a
    // line said while it is still down is dropped, so a line is said until one goes through.
    const reachable = () => cap.lines.some((l) => l.code === 'BUS_REACHABLE');
    for (let i = 0; i < 25 && !reachable(); i++) {
      b.chat({ from: 'p1', name: 'Ann', text: `three ${i}`, scope: 'world' });
      await wait(200);
    }
    expect(reachable(), 'said reachable again').toBe(true);
    expect(cap.lines.filter((l) => l.code === 'BUS_REACHABLE')).toHaveLength(1);
  });
});
