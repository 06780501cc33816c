// What the coordinator keeps durable, and the one small interface a storage backend implements.
// FileStore (an append-only log plus checkpoints under the data directory) is the default backend;
// RedisStore (--store redis://...) implements the same StateStore for a world many hosts share.

export interface SessionRecord {
  id: string;
  /** SHA-256 of the session's token (store/token-hash.ts); the token itself is never stored. */
  tokenHash: string;
  /** Shoal 0.1 stored the raw token; such records are hashed when loaded. */
  token?: string;
  name: string;
  room: string;
  score: number;
  /** --auth jwt: the account (token sub) this session belongs to; only that account may resume it. */
  account?: string;
  /** --auth jwt: seated without a token (--allow-guests). */
  guest?: true;
}

/** The game of a room record written before rooms had games (Shoal 0.1 and 0.2 ran only the arena). */
export const GAME_OF_OLD_ROOMS = 'arena';

export interface RoomRecord {
  id: string;
  slot: number;
  /** Members it holds, spectators included: a join naming the room is refused past it (ROOM_FULL). */
  capacity: number;
  /**
   * The game it plays (a registered game's name). Always set in memory; a record stored before
   * rooms had games has none and is read as GAME_OF_OLD_ROOMS (store/apply.ts).
   */
  game: string;
  /**
   * Players quick-join seats in it (matchmaking fills it up to this), when its game declares its
   * own sizes. Absent: the room is sized by the server's roomCapacity (seats = capacity), which
   * `set roomCapacity` changes on existing rooms too.
   */
  seats?: number;
  /**
   * Its game closed it to quick-join (RoomContext.setOpen(false)): matchmaking places no new
   * player in it; joins naming it are unaffected. Absent: open.
   */
  closed?: true;
  /** The room's last snapshot (game-defined plain data), if any. */
  snapshot?: unknown;
}

/** Everything durable, as one plain object: the coordinator's saved state. */
export interface SavedState {
  nextPlayer: number;
  sessions: SessionRecord[];
  /** [key, total score]: key is the name, or an account key (store/leaderboard-key.ts) */
  leaderboard: Array<[string, number]>;
  rooms: RoomRecord[];
  /** Namespaced key/value data (bans, world counters, queues, ...): ns -> key -> value. */
  kv: Record<string, Record<string, unknown>>;
}

/** One durable change. Applying the same change twice gives the same world (idempotent). */
export type Change =
  | { k: 'session'; s: SessionRecord }
  | { k: 'sessionEnd'; id: string }
  | { k: 'score'; id: string; score: number }
  | { k: 'room'; r: RoomRecord }
  | { k: 'roomGone'; id: string }
  | { k: 'nextPlayer'; n: number }
  | { k: 'kv'; ns: string; key: string; value: unknown }
  | { k: 'kvDel'; ns: string; key: string };

export interface StateStore {
  /** Loads the saved state: the last checkpoint with every later change applied. */
  open(): Promise<SavedState>;
  /**
   * Records changes. When it returns, they survive a crash of this process (they are in the
   * operating system's hands); `sync` makes them survive a crash of the machine.
   */
  append(changes: Change[]): void;
  /** Flushes appended changes to stable storage (fsync). */
  sync(): Promise<void>;
  /** Replaces the history with one checkpoint of the whole saved state (compaction). */
  checkpoint(world: SavedState): Promise<void>;
  close(): Promise<void>;
  /**
   * Whether writes are succeeding now (e.g. not failing on a full disk). Optional: a store
   * without it counts as healthy. /ready reports `store_failing` while it says not ok.
   */
  health?(): { ok: boolean; reason?: string };
  /**
   * A store shared by several hosts hands out session numbers (`p<n>` ids) unique world-wide.
   * Optional: without it the numbers come from the saved state's `nextPlayer`.
   */
  takePlayerNumber?(): number;
}

/** What an answer to an op that wrote waits on (start/listen.ts): appends counted, and a way to wait for them. */
export interface AckedWrites {
  /** Appends made so far (a caller compares it before and after its work). */
  readonly appends: number;
  /** How many of those are known durable. */
  readonly syncedAppends: number;
  /** Resolves once every append made so far is durable (rejects if writing it failed). */
  durable(): Promise<void>;
}

export function emptyState(): SavedState {
  return { nextPlayer: 1, sessions: [], leaderboard: [], rooms: [], kv: {} };
}
