// Property-based runs (fast-check): random sequences of world operations from five clients — three
// channels of their own and both real worker processes — checked step by step against a simple
// model; and random batches fired all at once, checked against what must hold in any order.
// On both stores: with Redis, the five clients are spread over two hosts sharing one redis-server.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/ipc/channel.js';
import { STORES, inWorker, startWorld, type Requester, type WorldHosts } from './world-helpers.js';

/** One client's view of the world ops, whether it is a bare channel or a worker. */
interface Client {
  incr(name: string, by: number): Promise<number>;
  get(name: string): Promise<unknown>;
  set(name: string, value: number, fence?: { lock: string; token: number }): Promise<unknown>;
  cas(name: string, expected: unknown, next: unknown): Promise<boolean>;
  lock(name: string): Promise<number | null>;
  unlock(name: string, token: number): Promise<boolean>;
  sem(name: string, permits: number): Promise<number | null>;
  unsem(name: string, token: number): Promise<boolean>;
  push(name: string, value: number): Promise<number>;
  pop(name: string): Promise<{ id: number; value: number } | null>;
  ack(name: string, id: number): Promise<boolean>;
}

const TTL = 60_000; // leases never run out during a run
const VIS = 60_000; // nor do queue visibility timeouts

function channelClient(ch: Channel): Client {
  return {
    incr: (name, by) => ch.request('world.incr', { name, by }),
    get: (name) => ch.request('world.get', { name }),
    set: (name, value, fence) => ch.request('world.set', { name, value, fence }),
    cas: (name, expected, next) => ch.request('world.cas', { name, expected, next }),
    lock: async (name) => (await ch.request('world.lock.acquire', { name, ttlMs: TTL }))?.token ?? null,
    unlock: (name, token) => ch.request('world.lock.release', { name, token }),
    sem: async (name, permits) => (await ch.request('world.sem.acquire', { name, permits, ttlMs: TTL }))?.token ?? null,
    unsem: (name, token) => ch.request('world.sem.release', { name, token }),
    push: (name, value) => ch.request('world.q.push', { name, value }),
    pop: (name) => ch.request('world.q.pop', { name, visibilityMs: VIS }),
    ack: (name, id) => ch.request('world.q.ack', { name, id }),
  };
}

function workerClient(ch: Requester, slot: number): Client {
  const run = (cmd: Parameters<typeof inWorker>[2]) => inWorker(ch, slot, cmd);
  return {
    incr: (name, by) => run({ op: 'incr', name, by }),
    get: (name) => run({ op: 'get', name }),
    set: (name, value, fence) => run({ op: 'set', name, value, fenceLock: fence?.lock, fenceToken: fence?.token }),
    cas: (name, expected, next) => run({ op: 'cas', name, expected, next }),
    lock: async (name) => (await run({ op: 'acquire', name, ttlMs: TTL }))?.token ?? null,
    unlock: (name, token) => run({ op: 'release', name, token }),
    sem: async (name, permits) => (await run({ op: 'semAcquire', name, permits, ttlMs: TTL }))?.token ?? null,
    unsem: (name, token) => run({ op: 'release', name, token }),
    push: (name, value) => run({ op: 'push', name, value }),
    pop: (name) => run({ op: 'pop', name, visibilityMs: VIS }),
    ack: (name, id) => run({ op: 'ack', name, id }),
  };
}

const CLIENTS = 5;
const PERMITS = 2;
const c = fc.integer({ min: 0, max: CLIENTS - 1 });
const n = fc.integer({ min: 0, max: 1 });
const small = fc.integer({ min: 0, max: 4 });
const opArb = fc.oneof(
  fc.record({ k: fc.constant('incr' as const), c, n, by: fc.integer({ min: -3, max: 5 }) }),
  fc.record({ k: fc.constant('set' as const), c, n, v: small }),
  fc.record({ k: fc.constant('cas' as const), c, n, e: fc.option(small, { nil: null }), v: small }),
  fc.record({ k: fc.constant('get' as const), c, n }),
  fc.record({ k: fc.constant('lock' as const), c, n }),
  fc.record({ k: fc.constant('unlock' as const), c, n }),
  fc.record({ k: fc.constant('fencedSet' as const), c, n, v: small }),
  fc.record({ k: fc.constant('sem' as const), c }),
  fc.record({ k: fc.constant('unsem' as const), c }),
  fc.record({ k: fc.constant('push' as const), c, v: small }),
  fc.record({ k: fc.constant('pop' as const), c }),
  fc.record({ k: fc.constant('ack' as const), c }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

describe.each(STORES)('world primitives against a model (fast-check, %s store)', (store) => {
  let server: WorldHosts;
  const channels: Channel[] = [];
  let clients: Client[] = [];
  let run = 0;

  beforeAll(async () => {
    server = await startWorld(store, ['--world-debug', 'true', '--golden-coin-ms', '0']);
    // Channel i to host i (modulo the hosts); the workers through the hosts' router.
    for (let i = 0; i < 3; i++) channels.push(await server.connect(i));
    clients = [channelClient(channels[0]!), channelClient(channels[1]!), channelClient(channels[2]!), workerClient(server, 0), workerClient(server, 1)];
  });

  afterAll(async () => {
    for (const ch of channels) ch.destroy();
    await server?.stop();
  });

  it('sequences of operations from five clients agree with the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops: Op[]) => {
        const p = `m${++run}.`; // fresh names per run: the server keeps state between runs
        const vals = new Map<string, number>();
        const lockHolder = new Map<string, { c: number; token: number }>();
        const lastToken = new Map<string, number>(); // per lock: the last token granted
        const mine = new Map<string, number>(); // `${client}/${lock}` -> last token that client got
        const semHeld: Array<{ c: number; token: number }> = [];
        const ready: Array<{ id: number; value: number }> = [];
        const out = new Map<number, number>(); // popped, not acked: id -> client
        const q = p + 'q';
        for (const op of ops) {
          const cl = clients[op.c]!;
          switch (op.k) {
            case 'incr': {
              const name = p + 'v' + op.n;
              const want = (vals.get(name) ?? 0) + op.by;
              expect(await cl.incr(name, op.by)).toBe(want);
              vals.set(name, want);
              break;
            }
            case 'set':
              await cl.set(p + 'v' + op.n, op.v);
              vals.set(p + 'v' + op.n, op.v);
              break;
            case 'cas': {
              const name = p + 'v' + op.n;
              const ok = (vals.get(name) ?? null) === op.e;
              expect(await cl.cas(name, op.e, op.v)).toBe(ok);
              if (ok) vals.set(name, op.v);
              break;
            }
            case 'get':
              expect(await cl.get(p + 'v' + op.n)).toBe(vals.get(p + 'v' + op.n) ?? null);
              break;
            case 'lock': {
              const name = p + 'L' + op.n;
              const token = await cl.lock(name);
              if (lockHolder.has(name)) expect(token).toBeNull();
              else {
                expect(token).toBeGreaterThan(lastToken.get(name) ?? 0);
                lockHolder.set(name, { c: op.c, token: token! });
                lastToken.set(name, token!);
                mine.set(`${op.c}/${name}`, token!);
              }
              break;
            }
            case 'unlock': {
              const name = p + 'L' + op.n;
              const token = mine.get(`${op.c}/${name}`);
              if (token === undefined) break;
              const h = lockHolder.get(name);
              const holds = h?.c === op.c && h.token === token;
              expect(await cl.unlock(name, token)).toBe(holds);
              if (holds) lockHolder.delete(name);
              break;
            }
            case 'fencedSet': {
              const lock = p + 'L' + op.n;
              const token = mine.get(`${op.c}/${lock}`);
              if (token === undefined) break;
              const h = lockHolder.get(lock);
              const name = p + 'v' + op.n;
              if (h?.token === token) {
                await cl.set(name, op.v, { lock, token });
                vals.set(name, op.v);
              } else {
                await expect(cl.set(name, op.v, { lock, token })).rejects.toMatchObject({ code: 'FENCED' });
              }
              break;
            }
            case 'sem': {
              const token = await cl.sem(p + 'S', PERMITS);
              if (semHeld.length >= PERMITS) expect(token).toBeNull();
              else {
                expect(token).not.toBeNull();
                semHeld.push({ c: op.c, token: token! });
              }
              break;
            }
            case 'unsem': {
              const i = semHeld.findIndex((h) => h.c === op.c);
              if (i < 0) break;
              expect(await cl.unsem(p + 'S', semHeld[i]!.token)).toBe(true);
              semHeld.splice(i, 1);
              break;
            }
            case 'push': {
              const id = await cl.push(q, op.v);
              ready.push({ id, value: op.v });
              break;
            }
            case 'pop': {
              const d = await cl.pop(q);
              const want = ready.shift();
              if (!want) expect(d).toBeNull();
              else {
                expect(d).toMatchObject(want);
                out.set(want.id, op.c);
              }
              break;
            }
            case 'ack': {
              const id = [...out].find(([, who]) => who === op.c)?.[0];
              if (id === undefined) break;
              expect(await cl.ack(q, id)).toBe(true);
              out.delete(id);
              expect(await cl.ack(q, id)).toBe(false); // an acked item is gone for good
              break;
            }
          }
        }
        // Leave nothing held that a later run could trip over (names are fresh anyway).
        for (const [name, h] of lockHolder) await clients[h.c]!.unlock(name, h.token);
      }),
      { numRuns: 100 },
    );
  });

  it('batches fired at once: one lock holder, one CAS winner, permits respected, no incr lost', async () => {
    const batchArb = fc.array(fc.record({ c, k: fc.constantFrom('incr', 'cas', 'lock', 'sem') }), { minLength: 2, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        const p = `b${++run}.`;
        const results = await Promise.all(
          batch.map(async (b, i) => {
            const cl = clients[b.c]!;
            switch (b.k) {
              case 'incr':
                return cl.incr(p + 'n', 1);
              case 'cas':
                return cl.cas(p + 'c', null, i);
              case 'lock':
                return cl.lock(p + 'L');
              default:
                return cl.sem(p + 'S', PERMITS);
            }
          }),
        );
        const of = (k: string) => results.filter((_, i) => batch[i]!.k === k);
        const incrs = of('incr') as number[];
        expect([...incrs].sort((a, b) => a - b)).toEqual(incrs.map((_, i) => i + 1));
        const cas = of('cas') as boolean[];
        if (cas.length) {
          expect(cas.filter(Boolean)).toHaveLength(1);
          const winner = batch.findIndex((b, i) => b.k === 'cas' && results[i] === true);
          expect(await clients[0]!.get(p + 'c')).toBe(winner);
        }
        const locks = of('lock');
        if (locks.length) expect(locks.filter((t) => t !== null)).toHaveLength(1);
        const sems = of('sem');
        expect(sems.filter((t) => t !== null)).toHaveLength(Math.min(sems.length, PERMITS));
      }),
      { numRuns: 100 },
    );
  });
});
