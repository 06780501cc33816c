// What every console command receives: the host it runs in (host.ts, the only way to the server's
// processes), the way to its workers, the ban list, and the run-time changes the console made
// (re-sent to processes that restart).
import type { Logger } from 'pino';
import type { ConsoleHost } from './host.js';
import type { BanList } from './bans.js';
import type { Limits } from './limits.js';
import type { WorkerRpc } from './worker-rpc.js';

export type Role = 'primary' | 'worker' | 'coordinator';

export interface ConsoleState {
  /** Limits changed by `set`, for workers and a coordinator that start after the change. */
  limits: Limits;
  /** Log levels changed by `loglevel`, by role. */
  levels: Partial<Record<Role, string>>;
  /** A `restart` is running (one at a time). */
  restartBusy: boolean;
  /** A `deploy` is running (one at a time; no `restart` meanwhile). */
  deployBusy: boolean;
  shutdownTimer: NodeJS.Timeout | null;
  shutdownAt: number | null;
}

export interface ConsoleContext {
  host: ConsoleHost;
  rpc: WorkerRpc;
  bans: BanList;
  state: ConsoleState;
  version: string;
  audit: Logger;
}

export interface Command {
  name: string;
  /** e.g. `rooms [--worker N]` */
  usage: string;
  summary: string;
  /** Longer help for `help NAME`. */
  details?: string;
  run(ctx: ConsoleContext, args: string[]): unknown;
}

export function newState(): ConsoleState {
  return { limits: {}, levels: {}, restartBusy: false, deployBusy: false, shutdownTimer: null, shutdownAt: null };
}
