// The coordinator's connections to Redis (--store redis://...). Commands fail fast while Redis is
// away (no offline queue): a join waiting on Redis gets UNAVAILABLE within --redis-timeout-ms
// instead of hanging, and the caller keeps what it could not write (scores wait in the workers).
// ioredis reconnects by itself; `onHealth` hears each change between reachable and not.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StoreChoice } from '../../config/store-url.js';

export type RedisStore = Extract<StoreChoice, { kind: 'redis' }>;

export interface RedisOptions {
  timeoutMs: number;
  /** A name for this connection in Redis's CLIENT LIST (host id and purpose). */
  name: string;
  log: Logger;
  onHealth?: (ok: boolean) => void;
}

/**
 * A command connection. A subscriber (pub/sub) or a blocking reader needs its own connection:
 * call this again (Redis gives a connection in subscribe mode or blocked in XREAD nothing else).
 */
export function openRedis(where: RedisStore, o: RedisOptions): Redis {
  const r = new Redis({
    host: where.host,
    port: where.port,
    db: where.db,
    connectionName: o.name.replace(/[^\x21-\x7e]/g, '_'),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: o.timeoutMs,
    connectTimeout: o.timeoutMs,
    // Back off to at most half a second: Redis coming back is noticed quickly.
    retryStrategy: (times) => Math.min(50 * times, 500),
  });
  let up: boolean | undefined;
  const health = (ok: boolean) => {
    if (ok === up) return;
    up = ok;
    o.onHealth?.(ok);
  };
  r.on('ready', () => health(true));
  r.on('end', () => health(false));
  r.on('close', () => health(false));
  // Errors are reported through health and through each failing command; an unhandled 'error'
  // event would take the process down.
  r.on('error', (err: Error) => {
    if (up !== false) o.log.warn({ err: err.message, redis: `${where.host}:${where.port}` }, 'redis connection error');
    health(false);
  });
  return r;
}

/** Connects, waiting up to the timeout; throws a one-line error when Redis cannot be reached. */
export async function connectRedis(r: Redis, where: RedisStore): Promise<void> {
  try {
    await r.connect();
  } catch (err) {
    throw new Error(`cannot reach redis at ${where.host}:${where.port}: ${(err as Error).message}`);
  }
}
