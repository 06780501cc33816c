// The world API's coordinator operations (`world.*`), spread into the coordinator's op table by
// ops.ts. Every name is validated here; the primitives in ../world/ trust their arguments.
import type { CoordinatorChannel, WorldOp } from '../../ipc/coordinator-ops.js';
import type { HandlersOf, OpContext } from './context.js';
import { DebugRelay } from '../world/debug.js';
import { Durable, NS } from '../world/durable.js';
import { LeaseTable, MAX_TTL_MS, MAX_WAIT_MS, checkMs } from '../world/leases.js';
import { Queues } from '../world/queues.js';
import { Subscribers } from '../world/subscribers.js';
import { Values, type Fence } from '../world/values.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const MAX_NAME = 200;
const MAX_PERMITS = 1_000_000;

function name(v: unknown, what = 'name'): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_NAME) {
    throw new CodedError('BAD_ARGS', `${what} must be a string of 1..${MAX_NAME} characters`);
  }
  return v;
}

function names(v: unknown): string[] {
  if (!Array.isArray(v)) throw new CodedError('BAD_ARGS', 'names must be an array of strings');
  return v.map((x) => name(x));
}

function token(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new CodedError('BAD_ARGS', 'token must be an integer');
  return v;
}

function owner(v: unknown, ch: CoordinatorChannel): string {
  const slot = ch.peer.slot;
  const who = typeof v === 'string' ? v.slice(0, MAX_NAME) : '';
  // A worker's channel carries its slot (worker.hello); the primary's carries none.
  return typeof slot === 'number' ? `${slot}/${who}` : who || 'external';
}

const waitOf = (v: unknown) => (v === undefined ? 0 : checkMs('waitMs', v, 0, MAX_WAIT_MS));

/**
 * The world values the games report (they declare which: `Game.reports`), stat -> value, straight
 * from the durable values; `healthOnly`: just those also shown on /health.
 */
export function reportedStats(ctx: OpContext, healthOnly = false): Record<string, unknown> {
  const vals = ctx.dir.ix.kv.get(NS.val);
  const out: Record<string, unknown> = {};
  for (const r of ctx.reports) {
    if (healthOnly && !r.health) continue;
    const v = vals?.get(r.key);
    out[r.stat] = r.kind === 'counter' ? (typeof v === 'number' ? v : 0) : (v ?? null);
  }
  return out;
}

export function worldOps(ctx: OpContext): HandlersOf<WorldOp> {
  const store = new Durable(ctx.dir);
  const locks = new LeaseTable(store, NS.fence);
  const sems = new LeaseTable(store, NS.semFence);
  const events = new Subscribers('world.ev');
  const watches = new Subscribers('world.val');
  const values = new Values(store, (f: Fence) => locks.holds(f.lock, f.token), (n, v) => {
    if (watches.has(n)) watches.send(n, v);
  });
  const queues = new Queues(store);
  const debug = new DebugRelay(ctx.workers);
  const fence = (v: unknown): Fence | undefined => (v === undefined || v === null ? undefined : (v as Fence));

  // Without the worldDebug setting the debug ops answer as if they did not exist.
  const noDebug = (op: string) => () => {
    throw new CodedError('UNKNOWN_OP', `unknown coordinator op ${op}`);
  };

  return {
    'world.lock.acquire': (a, ch) =>
      locks.acquire(name(a.name), 1, checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS), waitOf(a.waitMs), ch, owner(a.owner, ch)),
    'world.lock.release': (a) => locks.release(name(a.name), token(a.token)),
    'world.lock.extend': (a) => locks.extend(name(a.name), token(a.token), checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS)),
    'world.lock.holders': (a) => locks.holders(name(a.name)),

    'world.sem.acquire': (a, ch) => {
      const permits = a.permits;
      if (typeof permits !== 'number' || !Number.isInteger(permits) || permits < 1 || permits > MAX_PERMITS) {
        throw new CodedError('BAD_ARGS', `permits must be a whole number in [1, ${MAX_PERMITS}]`);
      }
      return sems.acquire(name(a.name), permits, checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS), waitOf(a.waitMs), ch, owner(a.owner, ch));
    },
    'world.sem.release': (a) => sems.release(name(a.name), token(a.token)),
    'world.sem.extend': (a) => sems.extend(name(a.name), token(a.token), checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS)),
    'world.sem.holders': (a) => sems.holders(name(a.name)),

    'world.pub': (a) => events.send(name(a.topic, 'topic'), a.value ?? null),
    'world.sub': (a, ch) => {
      for (const t of names(a.topics)) events.add(t, ch);
      return true;
    },
    'world.unsub': (a, ch) => {
      for (const t of names(a.topics)) events.remove(t, ch);
      return true;
    },

    'world.get': (a) => values.get(name(a.name)),
    'world.set': (a) => {
      values.set(name(a.name), a.value ?? null, fence(a.fence));
      return true;
    },
    'world.incr': (a) => values.incr(name(a.name), a.by ?? 1, fence(a.fence)),
    'world.cas': (a) => values.compareAndSet(name(a.name), a.expected ?? null, a.next ?? null, fence(a.fence)),
    'world.watch': (a, ch) => {
      // Answers the current values, so a watcher never misses a change made before it watched.
      const ns = names(a.names);
      for (const n of ns) watches.add(n, ch);
      return ns.map((n) => values.get(n));
    },
    'world.unwatch': (a, ch) => {
      for (const n of names(a.names)) watches.remove(n, ch);
      return true;
    },

    'world.q.push': (a) => queues.push(name(a.name), a.value),
    'world.q.pop': (a, ch) =>
      queues.pop(name(a.name), checkMs('visibilityMs', a.visibilityMs ?? 30_000, 1, MAX_TTL_MS), waitOf(a.waitMs), ch),
    'world.q.ack': (a) => queues.ack(name(a.name), token(a.id)),
    'world.q.len': (a) => queues.length(name(a.name)),

    'world.stats': () => ({
      ...reportedStats(ctx),
      locks: locks.stats(),
      semaphores: sems.stats(),
      queues: queues.stats(),
      events: events.stats(),
      watches: watches.stats(),
    }),

    'world.debug.run': ctx.config.worldDebug
      ? (a) => debug.run(a.slot, a.cmd, checkMs('timeoutMs', a.timeoutMs ?? 30_000, 1, MAX_WAIT_MS))
      : noDebug('world.debug.run'),
    'world.debug.done': ctx.config.worldDebug ? (a) => debug.done(a) : noDebug('world.debug.done'),
  };
}
