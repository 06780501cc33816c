// Every error code the server can produce, in one place, each with the one line that says what it
// means. A code is carried by the one error type (shared/errors/coded-error.ts) or sent as a
// protocol `error` / an HTTP error body; a unit test (test/unit/errors/catalogue.test.ts) finds
// every code in server/ and shared/ and fails on one missing here, and checks that each console
// code is in docs/CONSOLE.md. The protocol's own table (shared/protocol/messages.ts ERROR_CODES)
// is the source for protocol codes: a code added there does not compile until it is described here.
import type { ErrorCode } from '../../shared/protocol/messages.js';

/** Where a user meets the code. */
export type Where =
  | 'protocol' // a game client's `error` message (docs/PROTOCOL.md)
  | 'http' // an HTTP error body `{ error, message }`
  | 'console' // an operator console answer, or the CLI / start-up line (docs/CONSOLE.md)
  | 'world' // a game's World API call rejects with it (docs/WORLD.md)
  | 'game' // a game's own code (its Game.errors), sent to a player as a non-fatal protocol `error`
  | 'internal'; // between Shoal's own processes; reaches a user only through one of the above

export interface CodeEntry {
  meaning: string;
  where: readonly Where[];
}

/** Keyed by the protocol's ERROR_CODES, so none can be left out. */
const PROTOCOL: Record<ErrorCode, string> = {
  BAD_FRAME: 'a TCP frame with a zero or malformed length',
  FRAME_TOO_LARGE: 'a frame or WebSocket message over maxFrame',
  BAD_MESSAGE: 'a message that is not a MessagePack map of a known shape, or a field out of range',
  UNKNOWN_TYPE: 'a message with a `t` the server does not know',
  NOT_JOINED: 'a game message before a successful hello',
  HELLO_TIMEOUT: 'no hello within helloTimeoutMs of connecting',
  ROOM_FULL: 'the room has no free seat',
  BAD_TOKEN: 'an unknown or expired resume token, or one of another account',
  RATE_LIMITED: 'more messages a second than maxMsgRate; the message was dropped',
  SERVER_FULL: 'the server or this address is at its connection limit',
  SHUTTING_DOWN: 'the server is shutting down',
  UNAVAILABLE: 'the world state (coordinator) is briefly unreachable; try again',
  MESSAGE_TIMEOUT: 'a frame or message begun and not finished within messageTimeoutMs',
  ROOM_LIMIT: 'this address made too many new rooms this minute',
  AUTH_REQUIRED: '--auth jwt: hello carries no auth token and guests are not allowed',
  AUTH_INVALID: 'the auth token is malformed, badly signed, of a refused alg, or for another issuer/audience',
  AUTH_EXPIRED: "the auth token's exp has passed",
  NAME_TAKEN: 'a guest asked for a name an account plays under',
  SEAT_REFUSED: 'the game refused the seat (its reason in the message)',
  WRONG_GAME: 'hello names a room that plays another game than the one it asks for',
  UNKNOWN_GAME: 'hello.game names a game this server does not run',
  REDIRECT: 'the room, or the session a token resumes, runs on another host of the same world: hello again at `to` (HOST:PORT)',
};

/** Codes outside the protocol table, with every place each is met. */
const OTHERS: Record<string, CodeEntry> = {
  // HTTP
  BAD_REQUEST: { meaning: 'a malformed console request line, or an HTTP query parameter out of range', where: ['console', 'http'] },
  METHOD_NOT_ALLOWED: { meaning: 'an HTTP method other than GET or HEAD', where: ['http'] },
  NOT_FOUND: { meaning: 'no such HTTP endpoint', where: ['http'] },
  UPGRADE_REQUIRED: { meaning: 'a plain HTTP request to /ws', where: ['http'] },
  // The console
  UNKNOWN_COMMAND: { meaning: 'no console command by that name', where: ['console'] },
  BAD_ARGS: { meaning: 'an argument missing, extra, malformed or out of range; nothing changed', where: ['console', 'world', 'internal'] },
  UNKNOWN_LIMIT: { meaning: '`set` names a limit that cannot change at run time', where: ['console'] },
  PLAYER_NOT_FOUND: { meaning: 'no player with that id is seated', where: ['console'] },
  ROOM_NOT_FOUND: { meaning: 'no room with that id', where: ['console'] },
  NOT_BANNED: { meaning: '`unban` of an address that is not banned', where: ['console'] },
  NO_SHUTDOWN: { meaning: '`shutdown cancel` with no shutdown scheduled', where: ['console'] },
  LAST_WORKER: { meaning: 'draining this worker would leave none taking new rooms', where: ['console'] },
  WORKER_NOT_RUNNING: { meaning: 'only a running worker can be restarted', where: ['console'] },
  RESTART_IN_PROGRESS: { meaning: 'a restart is already running', where: ['console'] },
  RESTART_TIMEOUT: { meaning: "a restarted worker's replacement was not running in time", where: ['console'] },
  DEPLOY_IN_PROGRESS: { meaning: 'a deploy is already running (or `restart` while one runs)', where: ['console'] },
  MIGRATION_REFUSED: { meaning: "`deploy`'s pre-flight: the new build cannot read some rooms' snapshots (newer, migrate refused, game gone); each room's reason is in the message, no worker was replaced", where: ['console'] },
  DEPLOY_CHECK_FAILED: { meaning: "`deploy`'s pre-flight process of the new build did not load its games or answer in time; no worker was replaced", where: ['console'] },
  DEPLOY_STOPPED: { meaning: '`deploy` stopped part way (a replacement failed, or rooms made since the pre-flight cannot be read); the message says which workers run the new build and which keep the old code', where: ['console'] },
  BAD_KEYS: { meaning: '`auth reload` found the key file unreadable or invalid; the old keys stay', where: ['console'] },
  AUTH_OFF: { meaning: '`auth reload` while the server runs with --auth none', where: ['console'] },
  WORKER_DOWN: { meaning: 'a worker has no running process to ask', where: ['console'] },
  WORKER_TIMEOUT: { meaning: 'a worker did not answer in time', where: ['console'] },
  STARTING: { meaning: 'the server is still starting; only help answers', where: ['console'] },
  CONFIRM_REQUIRED: { meaning: 'a ban wider than banForcePrefixV4/V6 without --force', where: ['console'] },
  LINE_TOO_LONG: { meaning: 'a console request line over consoleMaxLineBytes', where: ['console'] },
  LINE_TIMEOUT: { meaning: 'a console request line not complete within consoleLineTimeoutMs', where: ['console'] },
  TOO_MANY_CONNECTIONS: { meaning: 'more console connections than consoleMaxConnections', where: ['console'] },
  FAILED: { meaning: 'another process refused a change without a code (in a per-process result row)', where: ['console'] },
  INTERNAL: { meaning: 'an unexpected failure (a bug); the log has the details', where: ['console', 'internal'] },
  COORDINATOR_CRASH_LOOP: { meaning: 'the coordinator keeps dying at start; answered instead of STARTING', where: ['console'] },
  STORE_DAMAGED: { meaning: 'the data directory cannot be loaded; the server stops (npm run repair)', where: ['console'] },
  STORE_UNREACHABLE: { meaning: '--store redis://...: Redis could not be reached at start within half of startTimeoutMs; the server stops (exit 65)', where: ['console'] },
  // The console at start-up and its CLI
  CONSOLE_IN_USE: { meaning: 'another live server answers on the console socket', where: ['console'] },
  DATA_IN_USE: { meaning: "another live server answers on this data directory's coordinator socket", where: ['console'] },
  CONSOLE_PATH_NOT_SOCKET: { meaning: 'the console path exists and is not a socket', where: ['console'] },
  CONSOLE_PATH_TOO_LONG: { meaning: 'the console socket path is too long for a Unix socket', where: ['console'] },
  CONSOLE_LISTEN_FAILED: { meaning: 'the console socket cannot be listened on', where: ['console'] },
  CONSOLE_UNREACHABLE: { meaning: '(CLI) nothing answers on the console socket', where: ['console'] },
  CONSOLE_TIMEOUT: { meaning: '(CLI) the console socket did not answer in time', where: ['console'] },
  CONNECTION_CLOSED: { meaning: '(CLI) the console connection closed before the answer', where: ['console'] },
  // The game-facing World API
  FENCED: { meaning: 'a write fenced by a lock that is no longer held with that token', where: ['world'] },
  WAIT_TIMEOUT: { meaning: 'a wait did not see its condition in time', where: ['world'] },
  NOT_A_NUMBER: { meaning: 'incr on a value that is not a number', where: ['world'] },
  ROOM_CLOSED: { meaning: 'a World call from a room that has ended', where: ['world'] },
  // The game API's state helper (server/game-api/state-sync.ts)
  BAD_SYNC_SETUP: { meaning: 'a game declared a state-sync collection with a reserved or repeated field, visible() without views, or after the first flush, or called settle() after it (a bug in the game)', where: ['internal'] },
  // Between processes
  CHANNEL_CLOSED: { meaning: 'the channel to another process closed before its answer', where: ['internal', 'console'] },
  CHANNEL_TIMEOUT: { meaning: 'another process did not answer a request in time', where: ['internal', 'console'] },
  HEALTH_TIMEOUT: { meaning: 'a worker asked the primary for the readiness answer and got none in time (the HTTP answer is 503)', where: ['internal'] },
  METRICS_TIMEOUT: { meaning: 'a worker asked the primary for the metrics text and got none in time', where: ['internal'] },
  BAD_GAME: { meaning: 'a game given to the server has a bad or duplicate name (start-up fails)', where: ['internal'] },
  BAD_GAME_MESSAGES: { meaning: "a registered game's declared client messages are refused when compiled (a core type, a field named t, not a Type.Object, a bad type name): the server does not start", where: ['console'] },
  // Four in a row's own codes (its Game.errors)
  NOT_YOUR_TURN: { meaning: 'four: a move while the other seat is to move', where: ['game'] },
  COLUMN_FULL: { meaning: 'four: a move in a column with no room left', where: ['game'] },
  NOT_PLAYING: { meaning: 'four: a move with no game in progress, or a move or rematch from a spectator', where: ['game'] },
  NOT_WAITING: { meaning: 'four: `computer` from a player that is not waiting alone for an opponent', where: ['game'] },
  GAME_NOT_OVER: { meaning: 'four: `rematch` while a game is still being played', where: ['game'] },
  BAD_GAMES_MODULE: { meaning: 'the --games module cannot be loaded or holds no games (start-up fails)', where: ['internal'] },
  // Games' CPU-heavy tasks (ctx.pool)
  POOL_BUSY: { meaning: "a game's task found the worker's pool queue full (poolQueue)", where: ['internal'] },
  POOL_TIMEOUT: { meaning: "a game's task was not done poolTaskTimeoutMs after it was handed to the pool (waiting included)", where: ['internal'] },
  NO_HANDLER: { meaning: 'a request to a channel end that takes none', where: ['internal'] },
  UNKNOWN_OP: { meaning: 'a coordinator or worker-admin operation by an unknown name', where: ['internal'] },
  STORE_CLOSED: { meaning: 'a write to the store before it opened or after it closed', where: ['internal'] },
  STORE_UNAVAILABLE: { meaning: 'the store cannot write (disk full, I/O error, Redis unreachable); the change was not made', where: ['internal', 'console'] },
  DEBUG_TIMEOUT: { meaning: '(test-only debug relay) a worker did not answer in time', where: ['internal'] },
  NO_WORKER: { meaning: '(test-only debug relay) no live worker in that slot', where: ['internal'] },
};

/** Protocol codes met in other places too. */
const PROTOCOL_ALSO: Partial<Record<ErrorCode, readonly Where[]>> = {
  SHUTTING_DOWN: ['console', 'internal'],
  SERVER_FULL: ['http'],
  UNAVAILABLE: ['http', 'console', 'world', 'internal'],
  UNKNOWN_GAME: ['internal'],
};

function build(): ReadonlyMap<string, CodeEntry> {
  const m = new Map<string, CodeEntry>();
  for (const [code, meaning] of Object.entries(PROTOCOL) as Array<[ErrorCode, string]>) {
    m.set(code, { meaning, where: ['protocol', ...(PROTOCOL_ALSO[code] ?? [])] });
  }
  for (const [code, e] of Object.entries(OTHERS)) {
    if (m.has(code)) throw new Error(`error catalogue: ${code} is a protocol code; list its other places in PROTOCOL_ALSO`);
    m.set(code, e);
  }
  return m;
}

export const CATALOGUE: ReadonlyMap<string, CodeEntry> = build();

export function isCatalogued(code: string): boolean {
  return CATALOGUE.has(code);
}

/** The codes met at the console, for its documentation. */
export function consoleCodes(): string[] {
  return [...CATALOGUE].filter(([, e]) => e.where.includes('console')).map(([c]) => c);
}
