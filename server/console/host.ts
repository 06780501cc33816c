// What the operator console needs from the server it runs in, and nothing more. The primary
// implements it (server/primary/console-host.ts) from its supervisor, acceptor and coordinator
// link; the console imports only this, so it never reaches into a process's internals and the
// primary can change how it keeps its books without the console noticing. Each action is a method
// of the part that owns the state it changes: a restart of the supervisor, the socket cap of the
// acceptor, a drain of the coordinator's placement.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ConnBooks } from '../metrics/connections.js';
import type { Limits } from './limits.js';
import type { CoordinatorArgs, CoordinatorOp, CoordinatorResult, DrainResult } from '../ipc/coordinator-ops.js';
import type { PrimaryToWorker, WorkerToPrimary } from '../ipc/primary-worker.js';
import type { DryRunRow, ProbeGame } from '../ipc/primary-probe.js';
import type { RoomSnapshotRow } from '../ipc/coordinator-ops.js';
import type { HostAnswer, HostCommand } from '../ipc/bus.js';

/**
 * A process running the build now on disk (the code a replaced worker will run), for a deploy's
 * pre-flight: it reads rooms' snapshots as that build will, and changes nothing.
 */
export interface DeployProbe {
  readonly pid: number | null;
  /** The new build's games and their snapshot versions. */
  readonly games: ProbeGame[];
  /** How the new build reads each room's snapshot. Rejects with DEPLOY_CHECK_FAILED. */
  check(rooms: RoomSnapshotRow[], timeoutMs: number): Promise<DryRunRow[]>;
  /** Ends the process. */
  close(): void;
}

/** A worker slot as the console shows it. `restarting` includes a replacement still starting. */
export interface WorkerSlotView {
  slot: number;
  pid: number | null;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  /** A code while something is wrong with the slot (e.g. WORKER_CRASH_LOOP). */
  problem?: string;
}

export interface CoordinatorView {
  pid: number | null;
  restarts: number;
  /** COORDINATOR_CRASH_LOOP, STORE_DAMAGED... while something is wrong. */
  problem?: string;
}

/** The primary's connection books: what the limits read. */
export interface ConnectionView {
  port: number;
  /** Open game connections (what maxConnections limits). */
  open: number;
  books: ConnBooks;
  refusals: Record<string, number>;
}

/** Asks the coordinator; rejects with a CodedError (e.g. UNAVAILABLE, TIMEOUT). */
export type CoordinatorRequest = <K extends CoordinatorOp>(op: K, args: CoordinatorArgs<K>, timeoutMs?: number) => Promise<CoordinatorResult<K>>;

export interface ConsoleHost {
  /** The primary's live settings (run-time limits applied). */
  readonly config: Config;
  readonly log: Logger;
  readonly startedAt: number;

  // --- processes (the supervisor) ---
  workerSlots(): WorkerSlotView[];
  /** Workers running now. */
  runningWorkers(): number;
  coordinator(): CoordinatorView;
  /** The server is shutting down. */
  stopping(): boolean;
  /**
   * Replaces a running worker with no back-off; resolves once the replacement runs. Rejects with
   * WORKER_NOT_RUNNING, SHUTTING_DOWN or RESTART_TIMEOUT.
   */
  restartWorker(slot: number): Promise<{ oldPid: number | null; newPid: number | null }>;
  /**
   * Starts a process of the build on disk that loads its games, for a deploy's pre-flight;
   * resolves once they are loaded. Rejects with DEPLOY_CHECK_FAILED (they do not load, or not in
   * timeoutMs).
   */
  startDeployProbe(timeoutMs: number): Promise<DeployProbe>;

  // --- connections (the acceptor) ---
  connections(): ConnectionView;
  /** Applies limits to the primary's own settings (and the acceptor's socket cap). */
  setLimits(limits: Limits): void;

  // --- worker processes (cluster IPC) ---
  /** False when the slot has no connected worker; `done` hears a failed send. */
  sendToWorker(slot: number, msg: PrimaryToWorker, done?: (err: Error | null) => void): boolean;
  /** Sees every message from a worker the primary itself does not handle; true when taken. */
  onWorkerMessage(handler: (slot: number, m: WorkerToPrimary) => boolean): void;

  // --- the coordinator ---
  request: CoordinatorRequest;
  /** Runs after each (re)connect to the coordinator, with that connection's own request. */
  onCoordinatorConnect(handler: (request: CoordinatorRequest) => Promise<void>): void;
  /**
   * Drain (no new rooms) is the coordinator's placement's to keep; it outlives a restart of the
   * worker and of the coordinator. Rejects with LAST_WORKER when no other slot would take rooms.
   */
  setDrained(slot: number, on: boolean): Promise<DrainResult>;
  /** Slots drained now, as the coordinator has them (empty when it does not answer). */
  drainedSlots(): Promise<number[]>;
  /**
   * With --store redis: runs each console command another host asked this one to run (kick, ban,
   * unban) and gives the answer back to that host through the coordinator (bus lane).
   */
  onHostCommand(handler: (cmd: HostCommand) => Promise<HostAnswer>): void;
}
