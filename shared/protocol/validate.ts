// Validation at the edge: bytes from a client become a typed ClientMessage or a protocol error.
// Nothing past this point re-checks a client message.
import { DecodeError, DEFAULT_MAX_DEPTH, decodeStrict } from './decoder.js';
import type { ClientMessage, ErrorCode, GameMessage, HelloMsg } from './messages.js';
import { GAME_NAME_PATTERN, PROTOCOL_LIMITS, ROOM_ID_PATTERN } from './limits.js';
import { checkName, cleanChat } from './text-rules.js';
import { isUint, isUnit } from './validate-rules.js';

export interface TextLimits {
  nameMax: number;
  chatMax: number;
  tokenMax?: number;
  /** Longest hello.auth (a JWT). */
  authMaxLength?: number;
  /** Deepest nesting of arrays and maps a message may have (the top-level map is 1). */
  maxMsgDepth?: number;
}

export type Parsed =
  | { ok: true; msg: ClientMessage; game?: undefined }
  /** A message of a type the session's game declared, matching its declaration. */
  | { ok: true; msg: GameMessage; game: true }
  | { ok: false; code: ErrorCode; message: string };

/**
 * The messages a session's game declared (compiled by game-messages.ts): asked only for a `t` that
 * is not core. Undefined: the game declares no such type.
 */
export interface GameMessageChecker {
  check(t: string, m: Record<string, unknown>): Parsed | undefined;
}

const bad = (message: string): Parsed => ({ ok: false, code: 'BAD_MESSAGE', message });

/** Length in characters (code points), so a name of 32 emoji is 32 characters. */
function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isText(v: unknown, min: number, max: number): v is string {
  if (typeof v !== 'string') return false;
  // Fast reject before counting code points: a string longer than 2*max UTF-16 units is too long.
  if (v.length < min || v.length > max * 2) return false;
  const n = charLength(v);
  return n >= min && n <= max;
}

/** `game`: the declared messages of the session's game, once it has joined one (before: core types only). */
export function parseClientMessage(bytes: Uint8Array, limits: TextLimits = PROTOCOL_LIMITS, game?: GameMessageChecker): Parsed {
  let m: unknown;
  try {
    m = decodeStrict(bytes, limits.maxMsgDepth ?? DEFAULT_MAX_DEPTH);
  } catch (e) {
    // The reason names an offset and a type byte, never the input's content.
    if (e instanceof DecodeError) return bad(`not one plain MessagePack value: ${e.message}`);
    throw e;
  }
  return validateClientMessage(m, limits, game);
}

export function validateClientMessage(m: unknown, limits: TextLimits = PROTOCOL_LIMITS, game?: GameMessageChecker): Parsed {
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m instanceof Uint8Array) {
    return bad('a message must be a MessagePack map');
  }
  const o = m as Record<string, unknown>;
  const t = o.t;
  if (typeof t !== 'string') return bad('missing string field t');
  switch (t) {
    case 'hello': {
      if (o.v !== 1) return bad('hello.v must be 1');
      if (!isText(o.name, PROTOCOL_LIMITS.nameMin, limits.nameMax)) {
        return bad(`hello.name must be 1..${limits.nameMax} characters`);
      }
      const name = checkName(o.name, 'hello.name');
      if (!name.ok) return bad(name.message);
      if (name.name !== o.name && !isText(name.name, PROTOCOL_LIMITS.nameMin, limits.nameMax)) {
        return bad(`hello.name must be 1..${limits.nameMax} characters in NFC`);
      }
      if (o.room !== undefined && (typeof o.room !== 'string' || !ROOM_ID_PATTERN.test(o.room))) {
        return bad('hello.room must be 1..32 of [A-Za-z0-9_-]');
      }
      if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length === 0 || o.token.length > (limits.tokenMax ?? PROTOCOL_LIMITS.tokenMax))) {
        return bad('hello.token must be a non-empty string');
      }
      // The auth token is only carried here; the worker verifies it (server/auth/).
      if (o.auth !== undefined && (typeof o.auth !== 'string' || o.auth.length === 0 || o.auth.length > (limits.authMaxLength ?? PROTOCOL_LIMITS.authMax))) {
        return bad(`hello.auth must be a string of 1..${limits.authMaxLength ?? PROTOCOL_LIMITS.authMax} characters`);
      }
      if (o.game !== undefined && (typeof o.game !== 'string' || !GAME_NAME_PATTERN.test(o.game))) {
        return bad('hello.game must be 1..32 of [a-z0-9-]');
      }
      if (o.changesOnly !== undefined && typeof o.changesOnly !== 'boolean') {
        return bad('hello.changesOnly must be a boolean');
      }
      const msg: HelloMsg = { t: 'hello', v: 1, name: name.name };
      if (o.room !== undefined) msg.room = o.room;
      if (o.game !== undefined) msg.game = o.game;
      if (o.token !== undefined) msg.token = o.token;
      if (o.auth !== undefined) msg.auth = o.auth;
      if (o.changesOnly === true) msg.changesOnly = true;
      return { ok: true, msg };
    }
    case 'input':
      if (!isUint(o.seq)) return bad('input.seq must be an unsigned integer');
      if (!isUnit(o.dx) || !isUnit(o.dy)) return bad('input.dx and input.dy must be numbers in [-1, 1]');
      return { ok: true, msg: { t: 'input', seq: o.seq, dx: o.dx, dy: o.dy } };
    case 'chat': {
      if (!isText(o.text, PROTOCOL_LIMITS.chatMin, limits.chatMax)) {
        return bad(`chat.text must be 1..${limits.chatMax} characters`);
      }
      const text = cleanChat(o.text);
      if (text === '') return bad('chat.text has nothing left once control and bidi characters are dropped');
      if (text !== o.text && !isText(text, PROTOCOL_LIMITS.chatMin, limits.chatMax)) {
        return bad(`chat.text must be 1..${limits.chatMax} characters in NFC`);
      }
      const scope = o.scope === undefined ? 'room' : o.scope;
      if (scope !== 'room' && scope !== 'world') return bad('chat.scope must be "room" or "world"');
      return { ok: true, msg: { t: 'chat', text, scope } };
    }
    case 'ping':
      if (!isUint(o.id)) return bad('ping.id must be an unsigned integer');
      return { ok: true, msg: { t: 'ping', id: o.id } };
    case 'top':
      return { ok: true, msg: { t: 'top' } };
    case 'leave':
      return { ok: true, msg: { t: 'leave' } };
    default: {
      // Core types keep their rules above; only another t may be one the game declared.
      const declared = game?.check(t, o);
      if (declared !== undefined) return declared;
      return { ok: false, code: 'UNKNOWN_TYPE', message: `unknown message type ${JSON.stringify(t.slice(0, 32))}` };
    }
  }
}
