// What every group of coordinator ops is given (OpContext) and the handler-table types they return.
// Its own file so the groups (ops.ts, admin-ops.ts, world-ops.ts) import it and ops.ts alone
// imports the groups: the op files depend on each other in one direction.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { OpHandlers } from '../../../shared/ipc/channel.js';
import type { CoordinatorChannel, CoordinatorOps } from '../../ipc/coordinator-ops.js';
import type { Directory } from '../directory/directory.js';
import type { StateStore } from '../store/types.js';
import type { ReportedValue } from '../../game-api/index.js';
import type { Adopter } from '../cluster/adopt.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Gate } from '../gate/gate.js';
import type { SharedLeaderboard } from './shared-leaderboard.js';

export interface OpContext {
  dir: Directory;
  config: Config;
  /** slot -> channel of the live worker in that slot */
  workers: Map<number, CoordinatorChannel>;
  channels: Set<CoordinatorChannel>;
  log: Logger;
  store: StateStore;
  save?: () => Promise<void>;
  /** World values the registered games report, in `stats` (health ones) and `world.stats`. */
  reports: readonly ReportedValue[];
  /** With --store redis: the other hosts (heartbeats, the bus); absent with the file store. */
  cluster?: Cluster;
  /** --store redis: where each hello goes when many hosts share the world (gate/gate.ts); absent with the file store. */
  gate?: Gate;
  /** --store redis: brings a room claimed from a dead host into this directory (cluster/adopt.ts, failover/redis-adopter.ts). */
  adopter?: Adopter;
  /** With --store redis: the leaderboard every host adds to (`top` and `leaderboard` read it). */
  board?: SharedLeaderboard;
}

/** The coordinator's handlers: exactly one per op of CoordinatorOps. */
export type CoordinatorHandlers = OpHandlers<CoordinatorOps, CoordinatorChannel>;
/** The handlers for some of the ops (admin-ops.ts, world-ops.ts each serve a group). */
export type HandlersOf<K extends keyof CoordinatorOps> = Pick<CoordinatorHandlers, K>;
