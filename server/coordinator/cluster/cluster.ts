// What one host's coordinator holds of the cluster (--store redis): its heartbeat among the live
// hosts (hosts.ts), the bus to the other hosts (bus.ts), and the relay that hands a console
// command another host asked for to this host's primary, which runs it as its own console would
// (the primary owns the ban list the acceptor reads and reaches the workers that seat players).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { RedisStore } from '../redis/connect.js';
import { openRedis } from '../redis/connect.js';
import { Hosts } from './hosts.js';
import { Bus } from './bus.js';
import type { BusChatLine, HostAnswer, HostCommand } from '../../ipc/bus.js';
import type { CoordinatorChannel } from '../../ipc/coordinator-ops.js';
import { RequestReply } from '../../../shared/ipc/request-reply.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface ClusterDeps {
  /** This host's players and rooms now (for its heartbeat). */
  counts(): { players: number; rooms: number };
  /** Delivers remote world chat lines to this host's players. */
  deliverChat(lines: BusChatLine[]): void;
  /** The channel of this host's primary, when it is connected. */
  primary(): CoordinatorChannel | undefined;
}

/** A command another host asked for waits this long for the primary; the asker waits askTimeoutMs. */
const RELAY_TIMEOUT_MS = 2500;
const ASK_TIMEOUT_MS = 3000;

export class Cluster {
  private readonly relay = new RequestReply();

  private constructor(readonly hosts: Hosts, readonly bus: Bus, private readonly redis: Redis, private readonly deps: ClusterDeps, private readonly log: Logger) {
    bus.onChat = (lines) => deps.deliverChat(lines);
    bus.onAsk = (cmd, from) => this.toPrimary(cmd, from);
  }

  /** Opens its two Redis connections and starts heartbeating; Redis away at start is waited for (ioredis reconnects). */
  static async open(where: RedisStore, config: Config, log: Logger, deps: ClusterDeps): Promise<Cluster> {
    const timeoutMs = config.redisTimeoutMs;
    const redis = openRedis(where, { timeoutMs, name: `${config.hostId} cluster`, log });
    const sub = openRedis(where, { timeoutMs, name: `${config.hostId} bus`, log });
    const hosts = new Hosts(redis, { id: config.hostId, advertise: config.advertise, ttlMs: config.hostTtlMs, counts: () => deps.counts(), log });
    const others = async () => (await hosts.live()).filter((h) => !h.self).length;
    const bus = new Bus(redis, sub, { hostId: config.hostId, log, askTimeoutMs: ASK_TIMEOUT_MS, others });
    const c = new Cluster(hosts, bus, redis, deps, log);
    await Promise.all([
      redis.connect().catch((err: Error) => log.warn({ err: err.message }, 'redis not reachable at start; heartbeats begin once it is')),
      sub.connect().catch(() => {}),
    ]);
    hosts.start();
    log.info({ host: config.hostId, advertise: config.advertise, ttlMs: config.hostTtlMs }, 'this host joined the cluster');
    return c;
  }

  /** The primary's answer to a command relayed with `bus.run`. */
  answered(req: number, answer: HostAnswer): void {
    this.relay.resolve(req, answer);
  }

  /** Graceful stop: the heartbeat is removed, so the other hosts see this one gone at once. */
  async stop(): Promise<void> {
    await this.hosts.stop();
    this.bus.close();
    this.redis.disconnect();
  }

  private toPrimary(cmd: HostCommand, from: string): Promise<HostAnswer> {
    const ch = this.deps.primary();
    if (!ch) return Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'this host\'s primary is not connected' } });
    this.log.info({ cmd: cmd.k, from }, 'console command from another host');
    return this.relay.request<HostAnswer>((req) => ch.push('bus.run', { req, cmd }), RELAY_TIMEOUT_MS, {
      code: 'HOST_TIMEOUT', message: `the primary did not run ${cmd.k} within ${RELAY_TIMEOUT_MS} ms`,
    }).catch((err: CodedError) => ({ ok: false as const, error: { code: err.code, message: err.message } }));
  }
}
