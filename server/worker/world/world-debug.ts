// Test and bench commands run inside a worker through its real world client (only with the
// `worldDebug` setting). The coordinator's `world.debug.run` op forwards a command here; the
// answer goes back with `world.debug.done`. Commands run in one long-lived debug room scope per
// worker, so a lease taken by one command is still held by the next (e.g. until a SIGKILL).
// Test-only: the runtime imports this module (dynamically) only when worldDebug is on.
import type { WorldClient } from './world-client.js';
import type { Lease, LockLease, QueueItem } from '../../game-api/world.js';
import type { RoomWorld } from './world-room.js';
import type { DebugCmd } from '../../ipc/coordinator-ops.js';

// The commands are declared at the coordinator boundary (the coordinator forwards them).
export type { DebugCmd };

export interface DebugRooms {
  holding(): unknown;
  world(roomId: string): RoomWorld | undefined;
}

/** The commands the coordinator forwards (the `world.debug` push), handed to `listen`. */
export type DebugListener = (h: (push: { id: number; cmd: DebugCmd }) => void) => void;

export function installWorldDebug(client: WorldClient, slot: number, rooms: DebugRooms, listen: DebugListener): void {
  const scope: RoomWorld = client.forRoom(`debug-${slot}`);
  const leases = new Map<string, Lease | LockLease>();
  const items = new Map<string, QueueItem>();
  const events = new Map<string, unknown[]>();
  const key = (name: string, n: number) => `${name}#${n}`;

  const run = async (c: DebugCmd): Promise<unknown> => {
    switch (c.op) {
      case 'acquire':
      case 'semAcquire': {
        const o = { ttlMs: c.ttlMs, waitMs: c.waitMs };
        const l = c.op === 'acquire' ? await scope.lock.acquire(c.name, o) : await scope.semaphore.acquire(c.name, c.permits, o);
        if (!l) return null;
        leases.set(key(c.name, l.token), l);
        return { token: l.token, at: Date.now() };
      }
      case 'release': {
        const l = leases.get(key(c.name, c.token));
        leases.delete(key(c.name, c.token));
        return l ? l.release() : false;
      }
      case 'set':
        await scope.set(c.name, c.value, c.fenceToken === undefined ? {} : { fence: { lock: c.fenceLock ?? c.name, token: c.fenceToken } });
        return true;
      case 'get':
        return scope.get(c.name);
      case 'incr':
        return scope.incr(c.name, c.by ?? 1);
      case 'cas':
        return scope.compareAndSet(c.name, c.expected, c.next);
      case 'push':
        return scope.queue.push(c.name, c.value);
      case 'pop': {
        const it = await scope.queue.pop(c.name, { visibilityMs: c.visibilityMs, waitMs: c.waitMs });
        if (!it) return null;
        items.set(key(c.name, it.id), it);
        return { id: it.id, value: it.value, attempt: it.attempt };
      }
      case 'ack': {
        const it = items.get(key(c.name, c.id));
        items.delete(key(c.name, c.id));
        return it ? it.ack() : false;
      }
      case 'subscribe':
        events.set(c.topic, events.get(c.topic) ?? []);
        scope.subscribe(c.topic, (v) => events.get(c.topic)!.push(v));
        return true;
      case 'events':
        return events.get(c.topic) ?? [];
      case 'publish':
        return scope.publish(c.topic, c.value);
      case 'waitFor':
        return scope.waitFor<number>(c.name, (v) => typeof v === 'number' && v >= c.atLeast, { timeoutMs: c.timeoutMs });
      case 'mutex':
        return mutex(scope, c.name, c.counter, c.n, c.ttlMs ?? 5000);
      case 'bench':
        return bench(scope, slot, c);
      case 'roomsHolding':
        return rooms.holding();
      case 'roomHold': {
        const w = rooms.world(c.room);
        if (!w) throw Object.assign(new Error(`no room ${c.room} here`), { code: 'NO_ROOM' });
        const l = await w.lock.acquire(c.lock, { ttlMs: c.ttlMs });
        w.subscribe(c.topic, () => {});
        return l ? { token: l.token } : null;
      }
    }
  };

  listen(({ id, cmd }) => {
    run(cmd).then(
      (value) => client.link.request('world.debug.done', { id, ok: true, value }).catch(() => {}),
      (err: unknown) => {
        const e = err as { code?: string; message?: string };
        client.link.request('world.debug.done', { id, ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } }).catch(() => {});
      },
    );
  });
}

async function mutex(w: RoomWorld, name: string, counter: string, n: number, ttlMs: number): Promise<{ tokens: number[]; fenced: number }> {
  const tokens: number[] = [];
  let fenced = 0;
  for (let i = 0; i < n; i++) {
    const l = await w.lock.acquire(name, { ttlMs, waitMs: 30_000 });
    if (!l) throw Object.assign(new Error('lock wait timed out'), { code: 'LOCK_WAIT_TIMEOUT' });
    tokens.push(l.token);
    // A read-modify-write that loses updates unless holders are mutually exclusive.
    const v = (await w.get<number>(counter)) ?? 0;
    try {
      await w.set(counter, v + 1, { fence: l.fence });
    } catch (err) {
      if ((err as { code?: string }).code !== 'FENCED') throw err;
      fenced++;
    }
    await l.release();
  }
  return { tokens, fenced };
}

async function bench(w: RoomWorld, slot: number, c: Extract<DebugCmd, { op: 'bench' }>): Promise<{ ops: number; ms: number }> {
  const end = Date.now() + c.ms;
  const started = performance.now();
  let ops = 0;
  const loop = async (i: number) => {
    const lockName = c.kind === 'lockShared' ? `bench.${c.tag ?? 'shared'}` : `bench.${c.tag ?? 'l'}.${slot}.${i}`;
    while (Date.now() < end) {
      if (c.kind === 'incr') {
        await w.incr(`bench.${c.tag ?? 'n'}`, 1);
        ops++;
      } else {
        const l = await w.lock.acquire(lockName, { ttlMs: 5000, waitMs: 10_000 });
        if (l) {
          await l.release();
          ops++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency ?? 1 }, (_, i) => loop(i)));
  return { ops, ms: performance.now() - started };
}
