// The world's connections to Redis, opened through redis/connect.ts (fail fast, no offline queue):
// one for commands and scripts, one in subscribe mode for events, watches and wake-ups. Nothing
// here blocks a connection (waiting acquires and pops are woken by pub/sub), so no third is needed.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { openRedis, type RedisStore } from '../../redis/connect.js';
import { CodedError } from '../../../../shared/errors/coded-error.js';
import { defineWorldScripts, type WorldScripts } from './scripts.js';
import { RedisSubscriptions } from './subscriptions.js';

export interface WorldRedisOptions {
  hostId: string;
  timeoutMs: number;
  /** How often a waiting acquire or pop looks again when no wake-up came (the safety net). */
  pollMs: number;
  log: Logger;
}

export class WorldRedis {
  readonly cmd: Redis & WorldScripts;
  readonly sub: Redis;
  readonly subs: RedisSubscriptions;
  readonly hostId: string;
  readonly pollMs: number;
  private readonly timeoutMs: number;
  private readyOnce = false;
  private readonly started: Promise<void>;

  constructor(where: RedisStore, o: WorldRedisOptions) {
    this.hostId = o.hostId;
    this.pollMs = o.pollMs;
    this.timeoutMs = o.timeoutMs;
    const common = { timeoutMs: o.timeoutMs, log: o.log };
    this.cmd = defineWorldScripts(openRedis(where, { ...common, name: `${o.hostId}/world` }));
    this.sub = openRedis(where, { ...common, name: `${o.hostId}/world-sub` });
    // A channel nobody here wants any more stays subscribed for one poll period.
    this.subs = new RedisSubscriptions(this.sub, o.pollMs);
    // Connected in the background; ioredis keeps retrying by itself when Redis is not up yet.
    const up = (r: Redis) => new Promise<void>((res) => (r.status === 'ready' ? res() : r.once('ready', () => res())));
    this.started = Promise.all([up(this.cmd), up(this.sub)]).then(() => {
      this.readyOnce = true;
    });
    for (const r of [this.cmd, this.sub]) r.connect().catch(() => {});
  }

  /** Before the first connection: waits for it, up to --redis-timeout-ms. After: at once (fail fast). */
  ready(): Promise<void> | undefined {
    if (this.readyOnce) return undefined;
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new CodedError('UNAVAILABLE', 'world store (redis) not reachable yet')), this.timeoutMs);
      void this.started.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
