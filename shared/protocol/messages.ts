// Every message of protocol version 1 (docs/PROTOCOL.md), as TypeScript types.
// Client messages are validated at the edge (validate.ts); inside the server they are trusted.

export const PROTOCOL_VERSION = 1;

export type ChatScope = 'room' | 'world';

/**
 * `auth` (additive): a signed JWT proving who the player is, when the server runs with --auth jwt.
 * `game` (additive): which game to play (a server runs several); absent means `arena`.
 * `changesOnly` (additive): `state`/`sync` only in ticks that change something for this player (a
 * v1 client, without it, gets one every tick).
 */
export interface HelloMsg { t: 'hello'; v: 1; name: string; room?: string; token?: string; auth?: string; game?: string; changesOnly?: boolean }
export interface InputMsg { t: 'input'; seq: number; dx: number; dy: number }
export interface ChatMsg { t: 'chat'; text: string; scope: ChatScope }
export interface PingMsg { t: 'ping'; id: number }
export interface TopMsg { t: 'top' }
export interface LeaveMsg { t: 'leave' }

export type ClientMessage = HelloMsg | InputMsg | ChatMsg | PingMsg | TopMsg | LeaveMsg;
export type ClientMessageType = ClientMessage['t'];

/**
 * Additive: a message of a type the session's game declared (shared/protocol/game-messages.ts),
 * checked against its declaration at the edge. Its fields are the declaration's.
 */
export interface GameMessage { readonly t: string; readonly [field: string]: unknown }

/** [id, x, y, score] */
export type PlayerTuple = [string, number, number, number];
/** [coinId, x, y]; golden coins add a fourth element, their value (additive extension). */
export type CoinTuple = [number, number, number] | [number, number, number, number];

export interface WelcomeMsg {
  t: 'welcome'; id: string; token: string; room: string; hz: number; tick: number;
  resumed: boolean;
  /** The game's field (the arena's size); a game without one (four in a row) leaves it out. */
  world?: { w: number; h: number };
  /** Additive: the room's game (`arena`, `four`, or a game the server was given). */
  game?: string;
  /** Additive: with --auth jwt, true for a player seated without a token (--allow-guests). */
  guest?: true;
  /** Additive: with --auth jwt, the account (the token's sub) the player is seated as. */
  account?: string;
  /** Additive: with --auth jwt, the name the player is seated under (an account's comes from its token). */
  name?: string;
}
export interface StateMsg {
  t: 'state'; tick: number; full: boolean; players: PlayerTuple[]; gone: string[];
  coins: CoinTuple[]; taken: number[];
}
export interface PongMsg { t: 'pong'; id: number; tick: number }
/**
 * `operator: true` (additive) marks a line the operator wrote on the console (`say`); the server
 * never sets it on a player's line, whatever the player's name or text.
 */
export interface ChatOutMsg { t: 'chat'; from: string; name: string; text: string; scope: ChatScope; operator?: true }
/** A guest's entry (--auth jwt) carries a third element, true (additive). */
export interface TopOutMsg { t: 'top'; players: Array<[string, number] | [string, number, true]> }
/** `to` (additive): only with REDIRECT, the HOST:PORT of the host to send the same hello to. */
export interface ErrorMsg { t: 'error'; code: ErrorCode; message: string; fatal: boolean; to?: string }
export interface ByeMsg { t: 'bye'; reason: ByeReason }

export type ServerMessage = WelcomeMsg | StateMsg | PongMsg | ChatOutMsg | TopOutMsg | ErrorMsg | ByeMsg;

export type ByeReason = 'leave' | 'kicked' | 'shutdown' | 'restart' | 'replaced' | (string & {});

export const ERROR_CODES = {
  BAD_FRAME: true,
  FRAME_TOO_LARGE: true,
  BAD_MESSAGE: false,
  UNKNOWN_TYPE: false,
  NOT_JOINED: false,
  HELLO_TIMEOUT: true,
  ROOM_FULL: false,
  BAD_TOKEN: false,
  RATE_LIMITED: false,
  SERVER_FULL: true,
  SHUTTING_DOWN: true,
  // Additive (not in the v1 table): the world state is briefly unreachable; try again.
  UNAVAILABLE: false,
  // Additive: a TCP frame or WebSocket message begun and not finished within messageTimeoutMs.
  MESSAGE_TIMEOUT: true,
  // Additive: hello names a room that does not exist, and this address made too many rooms this minute.
  ROOM_LIMIT: false,
  // Additive (--auth jwt): hello carries no auth token and guests are not allowed. Send hello again with one.
  AUTH_REQUIRED: false,
  // Additive: the auth token is malformed, badly signed, of a refused alg, or for another issuer/audience.
  AUTH_INVALID: false,
  // Additive: the auth token's exp has passed (beyond the clock skew). Get a fresh one and send hello again.
  AUTH_EXPIRED: false,
  // Additive: a guest's hello names a name an account plays under.
  NAME_TAKEN: false,
  // Additive: the game refused the seat (its reason in the message).
  SEAT_REFUSED: false,
  // Additive: hello names a room that plays another game than the one it asks for.
  WRONG_GAME: false,
  // Additive: hello.game names a game this server does not run.
  UNKNOWN_GAME: false,
  // Additive (--store redis, many hosts): the room, or the session a token resumes, runs on another
  // host of the same world; `to` names it (HOST:PORT). The connection closes; hello again there.
  REDIRECT: true,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function errorMsg(code: ErrorCode, message: string, to?: string): ErrorMsg {
  const m: ErrorMsg = { t: 'error', code, message, fatal: ERROR_CODES[code] };
  if (to !== undefined) m.to = to;
  return m;
}
