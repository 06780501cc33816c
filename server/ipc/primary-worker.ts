// The cluster IPC boundary between the primary and each worker process, declared once for both
// ends: every message either side sends is one member of a union discriminated by `t`, so a
// switch over `m.t` is checked by the compiler on both sides.
import type { HelloMsg } from '../../shared/protocol/messages.js';
import type { Readiness } from '../http/health.js';
import type { MetricsJson } from './coordinator-ops.js';
import type { ProcessMemory } from '../metrics/process-memory.js';
import type { Limits, KickResult } from './admin-types.js';

/** Liveness: any message answers it; `alive` is the reply when there is nothing else to say. */
export interface AlivePing { t: 'alive?' }
export interface AlivePong { t: 'alive' }

/**
 * In a worker's environment, `node`: the primary paces hand-offs by Node's own acknowledgement
 * of each socket, so the worker sends no conn.ack. A primary of an older build (a deploy puts a
 * new worker under it) does not set it and waits for conn.ack.
 */
export const HANDOFF_ACKS_ENV = 'SHOAL_HANDOFF_ACKS';

/** What the primary sends with each socket it hands over. */
export interface HandoffMsg {
  t: 'conn';
  /** The primary's book entry for this socket: reported back when the socket closes. */
  id: number;
  kind: 'tcp' | 'http';
  /** The bytes the primary read to classify the connection. */
  head: Uint8Array;
  /** The client's address: the socket's peer, or who a trusted balancer's PROXY header named. */
  address?: string;
  hint?: string;
  reject?: 'SERVER_FULL' | 'SHUTTING_DOWN';
}

// A relay carries a client between the worker holding its socket and the worker running its room;
// the primary forwards each message to the slot in `to`.
/**
 * `hint`: the room routing promised the client a seat in (quick-join), carried along so the worker
 * running it takes that seat and frees the promise rather than matchmaking the client afresh.
 */
export interface RelayOpen { t: 'relay.open'; to: number; from: number; rid: string; hello: HelloMsg; address: string; hint?: string }
/** Client -> room: a frame body the client sent. */
export interface RelayIn { t: 'relay.in'; to: number; rid: string; data: Uint8Array }
/** Room -> client: a framed message for the client. */
export interface RelayOut { t: 'relay.out'; to: number; rid: string; data: Uint8Array }
/** Either end is gone. `to` is absent when the primary itself closes a relay whose target is gone. */
export interface RelayClose { t: 'relay.close'; to?: number; rid: string }
export type RelayMsg = RelayOpen | RelayIn | RelayOut | RelayClose;

// --- the operator console's ops on one worker (worker/admin/admin.ts serves them) ---------------

export interface WorkerStats extends ProcessMemory {
  slot: number; pid: number; lagMs: number; logLevel: string;
  /** Bytes its connections have written and the kernel has not taken yet, KiB. */
  outboundKB: number;
  connections: { tcp: number; ws: number; relay: number }; rooms: number; players: number; connected: number;
  uptimeS: number; shuttingDown: boolean;
}

export interface Member { id: string; name: string; transport: string | null; address: string | null; score: number; state: 'connected' | 'frozen' }

export interface WorkerRoom {
  id: string; worker: number; players: number; connected: number; tick: number; tickP99Ms: number; members?: Member[];
  /** The game the room plays. */
  game: string;
}

export type { KickResult };

/** Every op a worker serves the console: name -> [arguments, result]. */
export type WorkerAdminOps = {
  stats: [Record<string, never>, WorkerStats];
  rooms: [{ members?: boolean; room?: string }, WorkerRoom[]];
  kick: [{ id: string; reason?: string }, KickResult];
  /** Disconnects everyone coming from a banned target: seated players for good, others at once. */
  kickAddress: [{ targets: string[]; reason: string }, { kicked: string[]; closed: number }];
  'auth.reload': [Record<string, never>, { keys: number }];
  loglevel: [{ level: string }, { level: string }];
  set: [{ limits: Limits }, { sessions: number }];
  /** Everything changed at run time, sent to a freshly started worker. */
  sync: [{ limits?: Limits; level?: string }, { sessions: number }];
};
export type WorkerAdminOp = keyof WorkerAdminOps;

/** An operator console request for one worker. */
export interface AdminReq { t: 'admin.req'; id: number; op: string; args?: unknown }
export type AdminRes =
  | { t: 'admin.res'; id: number; ok: true; data: unknown }
  | { t: 'admin.res'; id: number; ok: false; error: { code: string; message: string } };

// --- readiness pushed to the workers (worker/primary-link/readiness-mirror.ts keeps it) -----------
// A worker answers /health and /ready from these, with no round trip; they come over the same
// channel as the hand-offs, so a connection handed over after a change is answered with it.

/**
 * Everything readiness depends on except the asking address: sent when it changes (a flip of the
 * connection total at once, the coordinator's figures as the primary's poll of them changes).
 * `r.reasons` never holds address_full.
 */
export interface ReadinessState { t: 'health.state'; r: Readiness }
/** Every address now at maxConnectionsPerAddress (to a starting worker, and after a limit change). */
export interface FullAddresses { t: 'health.addresses'; full: string[] }
/** One address reached its limit (full) or dropped below it, at the moment the books changed. */
export interface AddressFull { t: 'health.address'; address: string; full: boolean }
export type ReadinessPush = ReadinessState | FullAddresses | AddressFull;

/** Everything the primary sends a worker. */
export type PrimaryToWorker =
  | AlivePing
  | HandoffMsg
  | { t: 'metrics.get'; id: number }
  | { t: 'metrics.result'; id: number; text: string }
  | { t: 'health.result'; id: number; r: Readiness }
  | ReadinessPush
  | { t: 'shutdown'; reason?: string }
  | RelayMsg
  | AdminReq;

/** Everything a worker sends the primary. */
export type WorkerToPrimary =
  | AlivePong
  /** Started, its rooms restored: it may be handed connections. */
  | { t: 'ready'; pid: number }
  /**
   * A handed-over socket arrived: sent only to a primary of an older build, which paced hand-offs
   * by these (one that sets HANDOFF_ACKS_ENV=node in the worker's environment paces by Node's own
   * acknowledgement and needs none: HANDOFF_ACKS_ENV).
   */
  | { t: 'conn.ack' }
  /** Book entries (HandoffMsg.id) of handed-over sockets that have closed. */
  | { t: 'conn.closed'; ids: number[] }
  /** /health or /ready asked of this worker: the primary answers with health.result. */
  | { t: 'health.get'; id: number; address: string }
  /** /metrics asked of this worker: the primary collects every process and answers metrics.result. */
  | { t: 'metrics.collect'; id: number }
  /** This worker's registry, the answer to metrics.get. */
  | { t: 'metrics.json'; id: number; data: MetricsJson }
  | RelayMsg
  | AdminRes
  /** The console may send the run-time settings this fresh process has not seen. */
  | { t: 'admin.hello'; pid: number };

/** Narrows a message from another process: anything without a string `t` is dropped. */
export function isMessage<M extends { t: string }>(m: unknown): m is M {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}
