// What every console command receives: the primary's handle, the way to its workers, the ban
// list, and the run-time changes the console made (re-sent to processes that restart).
import type { Logger } from 'pino';
import type { PrimaryHandle } from '../primary/main.js';
import type { BanList } from './bans.js';
import type { Limits } from './limits.js';
import type { WorkerRpc } from './worker-rpc.js';

export type Role = 'primary' | 'worker' | 'coordinator';

export interface ConsoleState {
  /** Limits changed by `set`, for workers and a coordinator that start after the change. */
  limits: Limits;
  /** Log levels changed by `loglevel`, by role. */
  levels: Partial<Record<Role, string>>;
  drained: Set<number>;
  /** Slots the console is restarting now. */
  restarting: Set<number>;
  /** Per restarting slot: settles once its replacement runs (or the restart gave up). */
  gates: Map<number, Promise<void>>;
  restartBusy: boolean;
  shutdownTimer: NodeJS.Timeout | null;
  shutdownAt: number | null;
}

export interface ConsoleContext {
  handle: PrimaryHandle;
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
  return { limits: {}, levels: {}, drained: new Set(), restarting: new Set(), gates: new Map(), restartBusy: false, shutdownTimer: null, shutdownAt: null };
}
