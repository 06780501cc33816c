// The world API's coordinator operations (`world.*`), spread into the coordinator's op table by
// ops.ts. Every argument is validated here, once for both backends, which trust their arguments:
// the file store's in-memory primitives (one host) or Redis (--store redis: every host), picked by
// the store setting.
import type { CoordinatorChannel, WorldOp } from '../../ipc/coordinator-ops.js';
import type { HandlersOf, OpContext } from './context.js';
import { parseStore } from '../../config/store-url.js';
import type { WorldBackend } from '../world/backend.js';
import { DebugRelay } from '../world/debug.js';
import { FileWorld } from '../world/file-world.js';
import { MAX_TTL_MS, MAX_WAIT_MS, checkMs } from '../world/leases.js';
import type { Fence } from '../world/values.js';
import { WorldRedis } from '../world/redis/connections.js';
import { RedisWorld } from '../world/redis/redis-world.js';
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

function fence(v: unknown): Fence | undefined {
  if (v === undefined || v === null) return undefined;
  const f = v as Partial<Fence>;
  if (typeof f.lock !== 'string' || typeof f.token !== 'number') throw new CodedError('BAD_ARGS', 'fence must be {lock, token}');
  return { lock: f.lock, token: f.token };
}

function by(v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CodedError('BAD_ARGS', 'incr: by must be a finite number');
  return v;
}

function permits(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PERMITS) {
    throw new CodedError('BAD_ARGS', `permits must be a whole number in [1, ${MAX_PERMITS}]`);
  }
  return v;
}

/** The world's backend the store setting names. */
export function openWorld(ctx: OpContext): WorldBackend {
  const where = parseStore(ctx.config.store);
  if (where.kind === 'file') return new FileWorld(ctx.dir);
  const r = new WorldRedis(where, { hostId: ctx.config.hostId, timeoutMs: ctx.config.redisTimeoutMs, pollMs: ctx.config.worldPollMs, log: ctx.log });
  return new RedisWorld(r);
}

/**
 * The world values the games report (they declare which: `Game.reports`), stat -> value;
 * `healthOnly`: just those also shown on /health.
 */
export async function reportedStats(ctx: OpContext, world: WorldBackend, healthOnly = false): Promise<Record<string, unknown>> {
  const wanted = ctx.reports.filter((r) => !healthOnly || r.health);
  const vals = await world.reported(wanted.map((r) => r.key));
  const out: Record<string, unknown> = {};
  wanted.forEach((r, i) => {
    const v = vals[i];
    out[r.stat] = r.kind === 'counter' ? (typeof v === 'number' ? v : 0) : (v ?? null);
  });
  return out;
}

export interface WorldOps {
  handlers: HandlersOf<WorldOp>;
  world: WorldBackend;
}

export function worldOps(ctx: OpContext): WorldOps {
  const world = openWorld(ctx);
  const debug = new DebugRelay(ctx.workers);

  // Without the worldDebug setting the debug ops answer as if they did not exist.
  const noDebug = (op: string) => () => {
    throw new CodedError('UNKNOWN_OP', `unknown coordinator op ${op}`);
  };

  const handlers: HandlersOf<WorldOp> = {
    'world.lock.acquire': (a, ch) =>
      world.acquire('lock', name(a.name), 1, checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS), waitOf(a.waitMs), ch, owner(a.owner, ch)),
    'world.lock.release': (a) => world.release('lock', name(a.name), token(a.token)),
    'world.lock.extend': (a) => world.extend('lock', name(a.name), token(a.token), checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS)),
    'world.lock.holders': (a) => world.holders('lock', name(a.name)),

    'world.sem.acquire': (a, ch) =>
      world.acquire('sem', name(a.name), permits(a.permits), checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS), waitOf(a.waitMs), ch, owner(a.owner, ch)),
    'world.sem.release': (a) => world.release('sem', name(a.name), token(a.token)),
    'world.sem.extend': (a) => world.extend('sem', name(a.name), token(a.token), checkMs('ttlMs', a.ttlMs, 1, MAX_TTL_MS)),
    'world.sem.holders': (a) => world.holders('sem', name(a.name)),

    'world.pub': (a) => world.publish(name(a.topic, 'topic'), a.value ?? null),
    'world.sub': async (a, ch) => {
      await world.subscribe(names(a.topics), ch);
      return true as const;
    },
    'world.unsub': async (a, ch) => {
      await world.unsubscribe(names(a.topics), ch);
      return true as const;
    },

    'world.get': (a) => world.get(name(a.name)),
    'world.set': async (a) => {
      await world.set(name(a.name), a.value ?? null, fence(a.fence));
      return true as const;
    },
    'world.incr': (a) => world.incr(name(a.name), by(a.by), fence(a.fence)),
    'world.cas': (a) => world.cas(name(a.name), a.expected ?? null, a.next ?? null, fence(a.fence)),
    // Answers the current values, so a watcher never misses a change made before it watched.
    'world.watch': (a, ch) => world.watch(names(a.names), ch),
    'world.unwatch': async (a, ch) => {
      await world.unwatch(names(a.names), ch);
      return true as const;
    },

    'world.q.push': (a) => {
      if (a.value === undefined || a.value === null) throw new CodedError('BAD_ARGS', 'queue items must not be null');
      return world.push(name(a.name), a.value);
    },
    'world.q.pop': (a, ch) =>
      world.pop(name(a.name), checkMs('visibilityMs', a.visibilityMs ?? 30_000, 1, MAX_TTL_MS), waitOf(a.waitMs), ch),
    'world.q.ack': (a) => world.ack(name(a.name), token(a.id)),
    'world.q.len': (a) => world.length(name(a.name)),

    'world.stats': async () => ({ ...(await reportedStats(ctx, world)), ...(await world.stats()) }),

    'world.debug.run': ctx.config.worldDebug
      ? (a) => debug.run(a.slot, a.cmd, checkMs('timeoutMs', a.timeoutMs ?? 30_000, 1, MAX_WAIT_MS))
      : noDebug('world.debug.run'),
    'world.debug.done': ctx.config.worldDebug ? (a) => debug.done(a) : noDebug('world.debug.done'),
  };
  return { handlers, world };
}
