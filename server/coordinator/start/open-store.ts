// Start step 1: open the world store: the file store under <data>/world (the default), or Redis
// (--store redis://...), shared with the other hosts. Its health changes are logged here; what to
// do once writes work again is given later (the directory, made from what the store loaded).
// Damage found on load is thrown (StoreDamage) and an unreachable Redis, after retrying for half
// of --start-timeout-ms, is thrown as StoreUnreachable: main.ts reports either in one line, and
// neither is retried by the primary.
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseStore } from '../../config/store-url.js';
import { connectRedis, openRedis, type RedisStore as RedisWhere } from '../redis/connect.js';
import { FileStore } from '../store/file-store.js';
import { RedisStore } from '../store/redis-store.js';
import { StoreUnreachable } from '../store/cannot-load.js';
import type { AckedWrites, SavedState, StateStore } from '../store/types.js';

export interface OpenedStore {
  store: StateStore & AckedWrites;
  /** What the store holds: the last checkpoint with its logs applied (Redis: this host's part). */
  saved: SavedState;
  /** Sets what runs each time the store can write again (after a full disk, or Redis back). */
  whenWritable(fn: () => void): void;
  /** The file store, when that is the store (its fsync and compaction timers, its stats). */
  file?: FileStore;
  /** The Redis store and its command connection, when that is the store. */
  redis?: { store: RedisStore; client: Redis };
}

/** `told`: each change of the store's health, as it happens (for the primary's readiness). */
export async function openStore(config: Config, log: Logger, told?: (h: { ok: boolean; reason?: string }) => void): Promise<OpenedStore> {
  let writable: (() => void) | undefined;
  const onHealth = (h: { ok: boolean; reason?: string }) => {
    told?.(h);
    if (h.ok) {
      log.info({ code: 'STORE_WRITABLE' }, 'store writes again');
      writable?.();
    } else {
      log.error({ code: 'STORE_UNWRITABLE', reason: h.reason }, `store cannot write (${h.reason}): joins are refused until it can`);
    }
  };
  const whenWritable = (fn: () => void) => {
    writable = fn;
  };
  const where = parseStore(config.store);
  if (where.kind === 'redis') return { ...(await openRedisStore(config, where, log, onHealth)), whenWritable };
  const store = new FileStore(path.join(config.data, 'world'), onHealth);
  const saved = await store.open();
  const torn = store.stats.torn;
  if (torn) log.warn({ code: 'STORE_TORN_TAIL', file: torn.file, offset: torn.offset, bytes: torn.bytes }, `cut a torn last record off ${torn.file} at offset ${torn.offset} (${torn.bytes} bytes)`);
  return { store, saved, whenWritable, file: store };
}

/** How long an unreachable Redis is retried at start: half the time the primary gives a start. */
export function redisStartRetryMs(config: Config): number {
  return Math.floor(config.startTimeoutMs / 2);
}

async function openRedisStore(
  config: Config,
  where: RedisWhere,
  log: Logger,
  onHealth: (h: { ok: boolean; reason?: string }) => void,
): Promise<Omit<OpenedStore, 'whenWritable'>> {
  const health: { store?: RedisStore } = {};
  const client = openRedis(where, {
    timeoutMs: config.redisTimeoutMs,
    name: `shoal:${config.hostId}:store`,
    log,
    onHealth: (ok) => health.store?.connectionChanged(ok),
  });
  const store = new RedisStore(client, {
    hostId: config.hostId,
    graceMs: config.graceMs,
    onHealth,
    onError: (err, what) => log.warn({ err: err.message, what }, 'redis store: a write failed; kept and tried again'),
  });
  health.store = store;
  const until = Date.now() + redisStartRetryMs(config);
  let lastErr = 'not connected';
  client.on('error', (err: Error) => (lastErr = err.message));
  // ioredis keeps reconnecting by itself after this first try (openRedis's retry strategy).
  void connectRedis(client, where).catch((err: Error) => (lastErr = err.message));
  let saved: SavedState | undefined;
  let warned = false;
  while (!saved) {
    if (client.status === 'ready') {
      try {
        saved = await store.open();
        break;
      } catch (err) {
        lastErr = (err as Error).message;
      }
    }
    if (Date.now() >= until) {
      client.disconnect();
      throw new StoreUnreachable(`cannot reach redis at ${where.host}:${where.port} (--store ${where.url}) within ${redisStartRetryMs(config)} ms: ${lastErr}`);
    }
    if (!warned) log.warn({ redis: `${where.host}:${where.port}` }, 'redis not reachable yet; retrying');
    warned = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  log.info({ redis: `${where.host}:${where.port}`, db: where.db, host: config.hostId, rooms: saved.rooms.length, sessions: saved.sessions.length }, 'world store on redis');
  return { store, saved, redis: { store, client } };
}
