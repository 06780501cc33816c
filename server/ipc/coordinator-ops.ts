// The coordinator's boundary, declared once for both ends: every op it serves over its channel
// (name -> [arguments, result]) and every topic it pushes. Workers, the primary and the console
// call through a `CoordinatorChannel`, and the coordinator's handler table is an
// `OpHandlers<CoordinatorOps, …>`, so the compiler checks each call against the handler that
// answers it, and a missing or misnamed handler does not compile.
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Channel, OpArgs, OpName, OpResult, PushOf } from '../../shared/ipc/channel.js';
import type { ChatOutMsg, TopOutMsg } from '../../shared/protocol/messages.js';
import type { RoomRecord, SessionRecord } from '../coordinator/store/types.js';
import type { BanEntry, KickResult, Limits } from './admin-types.js';
import type { ProcessMemory } from '../metrics/process-memory.js';
import type { ClusterView, HostCommand, HostCommands, HostReplies, HostAnswer } from './bus.js';

// --- sessions and rooms ------------------------------------------------------------------------

export interface JoinArgs {
  slot: number;
  name: string;
  room?: string;
  token?: string;
  /**
   * The room matchmaking picked when this connection was routed (no room named). Absent for a
   * quick-join the primary placed on this worker itself (QuickSeatsBoard): seated on this worker.
   */
  hint?: string;
  /** The client's address: rooms it makes are counted against it. */
  address?: string;
  /** --auth jwt: the verified account (token sub), or guest: true. Neither with --auth none. */
  account?: string;
  guest?: boolean;
  /**
   * The game the player asks for (hello.game; absent: the arena). A room made for it plays it and,
   * when matchmaking makes it up, gets an id starting with it; a named room of another game is
   * refused (WRONG_GAME). A resume keeps its room's game whatever this says.
   */
  game?: string;
  /** That game's seats (quick-join fills a room up to this): the coordinator imports no game, so workers say. */
  seats?: number;
  /** That game's capacity (members, spectators included): a join naming a room is refused past it (ROOM_FULL). */
  capacity?: number;
}

/** A game a worker hosts, with its room sizes (worker.hello): matchmaking sizes its rooms by them. */
export interface HostedGameSizes {
  name: string;
  seats: number;
  capacity: number;
}

/** `token` is the raw token, for the client's `welcome` only: the directory keeps its hash. */
export type JoinResult =
  | { redirect: number }
  /** --store redis: another live host runs the room (or the resumed session's room); its advertised HOST:PORT. */
  | { elsewhere: string }
  | { session: SessionRecord; token: string; room: Readonly<RoomRecord>; resumed: boolean };

export interface RoomWithSessions extends RoomRecord {
  sessions: SessionRecord[];
}

export interface WorkerHelloArgs {
  slot: number;
  pid: number;
  /**
   * Rooms this worker still runs (after a coordinator restart): it is their authority, also for
   * whether quick-join may place players in them (`open`, RoomContext.setOpen; absent: kept as is).
   */
  rooms: Array<{ id: string; players: string[]; open?: boolean }>;
  /** Scores the coordinator may not have seen: absolute, so resending is safe. */
  scores?: Array<[string, number]>;
  /** The games this worker hosts and their sizes, so routing can fill rooms before any join of them. */
  games?: HostedGameSizes[];
}

export interface WorkerHelloResult {
  /** The rooms placed in this slot, with their seated sessions. */
  rooms: RoomWithSessions[];
  /** False while the store cannot write: the worker keeps its journal and resends. */
  saved: boolean;
}

export interface RoomSummary {
  id: string;
  players: number;
  capacity: number;
  slot: number;
  /** The game the room plays. */
  game: string;
}

export interface LeaderEntry {
  name: string;
  score: number;
  account?: string;
  guest?: true;
}

/** World values the registered games declare for reports (Game.reports), by stat name, e.g. coinsTaken. */
export type GameReports = { [stat: string]: unknown };

export interface CoordinatorStats {
  rooms: RoomSummary[];
  players: number;
  workers: number;
  /** The games' values marked for /health. */
  reports: GameReports;
  /** For /ready: new players cannot join while the world cannot be written. */
  store: { ok: boolean; reason?: string };
}

/**
 * What the primary's readiness reads, polled every 250 ms: `stats` without the room list, which
 * grows with the rooms while readiness needs only their count.
 */
export interface CoordinatorReadiness {
  rooms: number;
  players: number;
  reports: GameReports;
  store: { ok: boolean; reason?: string };
}

export type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>;

// --- world API -----------------------------------------------------------------------------------

export interface WorldFence {
  lock: string;
  token: number;
}

export interface LeaseGrant {
  token: number;
  ttlMs: number;
}

export interface QueueDelivery {
  id: number;
  value: unknown;
  /** 1 on the first delivery, more when the item came back after a visibility timeout. */
  attempt: number;
}

export interface LeaseHolder {
  token: number;
  owner: string;
  expiresInMs: number;
}

interface LeaseArgs {
  name: string;
  ttlMs: number;
  waitMs?: number;
  owner?: string;
}

interface TokenArgs {
  name: string;
  token: number;
}

export interface WorldStats {
  /** The games' declared values (e.g. coinsTaken), flattened in front of the World API's own. */
  [stat: string]: unknown;
  locks: LeaseTableStats;
  semaphores: LeaseTableStats;
  queues: { queues: number; ready: number; inflight: number; redeliveries: number };
  events: SubscriberStats;
  watches: SubscriberStats;
}

interface LeaseTableStats {
  names: number;
  held: number;
  waiting: number;
  grants: number;
  expiries: number;
}

interface SubscriberStats {
  names: number;
  subscriptions: number;
}

/** A test or bench command run inside a worker (worldDebug only; worker/world/world-debug.ts runs it). */
export type DebugCmd =
  | { op: 'acquire'; name: string; ttlMs?: number; waitMs?: number }
  | { op: 'semAcquire'; name: string; permits: number; ttlMs?: number; waitMs?: number }
  | { op: 'release'; name: string; token: number }
  | { op: 'set'; name: string; value: unknown; fenceToken?: number; fenceLock?: string }
  | { op: 'get'; name: string }
  | { op: 'incr'; name: string; by?: number }
  | { op: 'cas'; name: string; expected: unknown; next: unknown }
  | { op: 'push'; name: string; value: unknown }
  | { op: 'pop'; name: string; visibilityMs?: number; waitMs?: number }
  | { op: 'ack'; name: string; id: number }
  | { op: 'subscribe'; topic: string }
  | { op: 'events'; topic: string }
  | { op: 'publish'; topic: string; value: unknown }
  | { op: 'waitFor'; name: string; atLeast: number; timeoutMs?: number }
  /** n rounds of: acquire (waiting), read counter, write counter+1 fenced, release. */
  | { op: 'mutex'; name: string; counter: string; n: number; ttlMs?: number }
  /** Runs `concurrency` loops of one kind for ms; answers how many operations completed. */
  | { op: 'bench'; kind: 'lock' | 'lockShared' | 'incr'; ms: number; concurrency?: number; tag?: string }
  | { op: 'roomsHolding' }
  /** Makes a live room's own world take a lock and subscribe (to test that its end gives them back). */
  | { op: 'roomHold'; room: string; lock: string; topic: string; ttlMs: number };

/** A debug command's outcome, from the worker that ran it back to the coordinator. */
export type DebugDone =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

// --- operator console --------------------------------------------------------------------------

export interface CoordinatorAdminStats extends ProcessMemory {
  pid: number;
  lagMs: number;
  logLevel: string;
  channels: number;
  workers: number[];
  rooms: number;
  sessions: number;
  drained: number[];
  uptimeS: number;
}

/** A room's last snapshot as the coordinator keeps it, for a deploy's pre-flight. */
export interface RoomSnapshotRow {
  id: string;
  slot: number;
  game?: string;
  snapshot?: unknown;
}

export interface DrainResult {
  worker: number;
  draining: boolean;
  rooms: number;
}

type Empty = Record<string, never>;

/** Every op the coordinator serves: name -> [arguments, result]. */
export type CoordinatorOps = {
  'worker.hello': [WorkerHelloArgs, WorkerHelloResult];
  'primary.hello': [Empty, { ok: true }];
  route: [{ room?: string; token?: string; game?: string }, { slot: number; room?: string }];
  join: [JoinArgs, JoinResult];
  leave: [{ id: string }, void];
  scores: [{ u: Array<[string, number]> }, void];
  snapshots: [{ rooms: Array<[string, unknown]> }, void];
  'room.sessions': [{ id: string }, SessionRecord[]];
  'room.gone': [{ id: string }, void];
  /** The room's game says whether quick-join may place players in it (RoomContext.setOpen); from its worker only. */
  'room.open': [{ id: string; open: boolean }, void];
  'chat.world': [{ from: string; name: string; text: string; operator?: boolean }, void];
  'rooms.page': [{ offset: number; limit: number }, { total: number; rooms: RoomSummary[] }];
  top: [{ n?: number }, TopOutMsg['players']];
  leaderboard: [{ limit?: number }, LeaderEntry[]];
  stats: [Empty, CoordinatorStats];
  readiness: [Empty, CoordinatorReadiness];
  metrics: [Empty, MetricsJson];
  save: [Empty, { saved: true }];

  'world.lock.acquire': [LeaseArgs, LeaseGrant | null];
  'world.lock.release': [TokenArgs, boolean];
  'world.lock.extend': [TokenArgs & { ttlMs: number }, boolean];
  'world.lock.holders': [{ name: string }, LeaseHolder[]];
  'world.sem.acquire': [LeaseArgs & { permits: number }, LeaseGrant | null];
  'world.sem.release': [TokenArgs, boolean];
  'world.sem.extend': [TokenArgs & { ttlMs: number }, boolean];
  'world.sem.holders': [{ name: string }, LeaseHolder[]];
  /** Answers how many workers the event went to. */
  'world.pub': [{ topic: string; value?: unknown }, number];
  'world.sub': [{ topics: string[] }, true];
  'world.unsub': [{ topics: string[] }, true];
  'world.get': [{ name: string }, unknown];
  'world.set': [{ name: string; value?: unknown; fence?: WorldFence | null }, true];
  'world.incr': [{ name: string; by?: number; fence?: WorldFence | null }, number];
  'world.cas': [{ name: string; expected?: unknown; next?: unknown; fence?: WorldFence | null }, boolean];
  /** Answers the current values, in the order asked. */
  'world.watch': [{ names: string[] }, unknown[]];
  'world.unwatch': [{ names: string[] }, true];
  /** Answers the queue's length after the push. */
  'world.q.push': [{ name: string; value?: unknown }, number];
  'world.q.pop': [{ name: string; visibilityMs?: number; waitMs?: number }, QueueDelivery | null];
  'world.q.ack': [{ name: string; id: number }, boolean];
  'world.q.len': [{ name: string }, { ready: number; inflight: number }];
  'world.stats': [Empty, WorldStats];
  /** Only with the worldDebug setting (UNKNOWN_OP otherwise): runs a command inside a worker. */
  'world.debug.run': [{ slot: number; cmd: DebugCmd; timeoutMs?: number }, unknown];
  'world.debug.done': [DebugDone, void];

  'admin.stats': [Empty, CoordinatorAdminStats];
  'admin.bans': [Empty, BanEntry[]];
  /** `at` (when it was made) is given when another host made the ban (bus lane); else now. */
  'admin.ban': [{ address: string; until: number | null; at?: number }, BanEntry[]];
  'admin.unban': [{ address: string }, BanEntry[]];
  'admin.drain': [{ slot: number; draining: boolean }, DrainResult];
  'admin.loglevel': [{ level: string }, { level: string }];
  'admin.set': [{ limits: Limits }, { rooms: number }];
  /** Run-time state the primary re-sends after the coordinator restarted. */
  'admin.sync': [{ limits?: Limits; level?: string }, { ok: true }];
  /** Every room's last snapshot (of one slot's rooms, when given), for a deploy's dry run of the new code. */
  'admin.snapshots': [{ slot?: number }, RoomSnapshotRow[]];

  // --- bus lane: the hosts of one world (--store redis; server/coordinator/cluster/) ---
  /** Live hosts with their heartbeats (with the file store: this host alone). */
  'cluster.hosts': [Empty, ClusterView];
  /** Asks every other host to run a console command (UNAVAILABLE while Redis is away). */
  'bus.kick': [HostCommands['kick'][0], HostReplies<KickResult>];
  'bus.ban': [HostCommands['ban'][0], HostReplies<HostCommands['ban'][1]>];
  'bus.unban': [HostCommands['unban'][0], HostReplies<HostCommands['unban'][1]>];
  /** From the primary: its answer to a `bus.run` push. */
  'bus.answer': [{ req: number; answer: HostAnswer }, void];
  // --- end bus lane ---
};

/** Every topic the coordinator pushes to workers (and, `bus.run`, to the primary): topic -> payload. */
export type CoordinatorPushes = {
  /** A world-scope chat line, for every player of every worker. */
  chat: ChatOutMsg;
  /** A world event: [topic, value]. */
  'world.ev': [string, unknown];
  /** A watched value changed: [name, value]. */
  'world.val': [string, unknown];
  /** Only with worldDebug: a command for this worker to run (answered with world.debug.done). */
  'world.debug': { id: number; cmd: DebugCmd };
  /** To the primary only (bus lane): run this console command another host asked for; answered with bus.answer. */
  'bus.run': { req: number; cmd: HostCommand };
  /**
   * --store redis (failover lane): stop running these rooms at once, writing nothing more for
   * them (another host owns them now, or may soon): their players get `bye` `restart` and resume.
   */
  'rooms.drop': { ids: string[] };
  /** To the primary only: where quick-join has free seats now (at once on a change, and every second). */
  'quick.seats': QuickSeatsBoard;
};

/**
 * What the primary needs to place a quick-join (a hello naming no room and no token, its game
 * known) on a worker itself, with no round trip: the slots taking new rooms, and per game the
 * seats quick-join fills in a room and the free ones in its open rooms on each such slot
 * (seated players and seats promised at routing taken off). The worker's join then seats the
 * player in a room of its game on that worker (placement.ts, chooseSeat).
 */
export interface QuickSeatsBoard {
  slots: number[];
  /** Seats of a room of a game not listed (roomCapacity). */
  seats: number;
  /** [game, its seats, [slot, free seats on that slot][]] */
  games: Array<[string, number, Array<[number, number]>]>;
}

export type CoordinatorOp = OpName<CoordinatorOps>;
export type CoordinatorArgs<K extends CoordinatorOp> = OpArgs<CoordinatorOps, K>;
export type CoordinatorResult<K extends CoordinatorOp> = OpResult<CoordinatorOps, K>;
export type CoordinatorPush = PushOf<CoordinatorPushes>;
/** The world API's ops (coordinator/ops/world-ops.ts serves them, worker/world/* calls them). */
export type WorldOp = Extract<CoordinatorOp, `world.${string}`>;
/** The operator console's ops (coordinator/ops/admin-ops.ts). */
export type AdminOp = Extract<CoordinatorOp, `admin.${string}`>;
/** Both ends of the coordinator's channel. */
export type CoordinatorChannel = Channel<CoordinatorOps, CoordinatorPushes>;
