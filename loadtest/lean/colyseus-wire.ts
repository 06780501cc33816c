// Colyseus's room protocol (0.18) as the lean client needs it: every message starts with a code
// byte (its low 5 bits; the top 3 are modifier flags), so states are counted by that byte alone;
// a room message is [ROOM_DATA][type as a MessagePack string][MessagePack body], so a pong is
// spotted by its first six bytes and only its body is decoded. Inputs and pings are room messages
// written into fixed byte templates, as Shoal's are (input-template.ts).
import { decode } from '../../shared/protocol/codec.js';
import { PEEK_ERROR, PEEK_OTHER, PEEK_PONG, PEEK_STATE, PEEK_WELCOME } from './wire-peek.js';
import { inputTemplateAfter } from './input-template.js';

/** Protocol codes of @colyseus/shared-types 0.18 (Protocol). */
export const CY_JOIN_ROOM = 10;
export const CY_ERROR = 11;
export const CY_ROOM_DATA = 13;
export const CY_ROOM_STATE = 14;
export const CY_ROOM_STATE_PATCH = 15;
const CODE_MASK = 0x1f;

/** What a client sends back once it has read JOIN_ROOM; the room then sends the full state. */
export const JOIN_ACK = Buffer.from([CY_JOIN_ROOM]);

const PONG_HEAD = Buffer.from([CY_ROOM_DATA, 0xa4, ...Buffer.from('pong')]);

/**
 * The kind of the Colyseus message buf[start, start+len): a state (full or patch), a pong, the
 * JOIN_ROOM that seats a player (PEEK_WELCOME), an error, or anything else.
 */
export function peekColyseus(buf: Buffer, start: number, len: number): number {
  if (len < 1) return PEEK_OTHER;
  const code = buf[start]! & CODE_MASK;
  if (code === CY_ROOM_STATE_PATCH || code === CY_ROOM_STATE) return PEEK_STATE;
  if (code === CY_ROOM_DATA) {
    if (len < PONG_HEAD.length) return PEEK_OTHER;
    for (let i = 1; i < PONG_HEAD.length; i++) if (buf[start + i] !== PONG_HEAD[i]) return PEEK_OTHER;
    return PEEK_PONG;
  }
  if (code === CY_JOIN_ROOM) return PEEK_WELCOME;
  if (code === CY_ERROR) return PEEK_ERROR;
  return PEEK_OTHER;
}

/** The ping id a pong echoes (its body is {id, tick}); -1 when the body is not that. */
export function pongId(buf: Buffer, start: number, len: number): number {
  try {
    const m = decode(buf.subarray(start + PONG_HEAD.length, start + len)) as { id?: unknown } | null;
    return typeof m?.id === 'number' ? m.id : -1;
  } catch {
    return -1;
  }
}

/** The error code of an ERROR message: [ERROR][code as a Colyseus number][message]. */
export function errorCode(buf: Buffer, start: number, len: number): number {
  if (len < 2) return -1;
  const b = buf[start + 1]!;
  if (b < 0x80) return b;
  if (b === 0xcc && len >= 3) return buf[start + 2]!;
  if (b === 0xcd && len >= 4) return buf.readUInt16LE(start + 2);
  if (b === 0xce && len >= 6) return buf.readUInt32LE(start + 2);
  return -1;
}

// Input: [ROOM_DATA]["input"]{seq: uint32, dx: float64, dy: float64}, all at fixed offsets.
const COLYSEUS_INPUT = inputTemplateAfter(Buffer.from([CY_ROOM_DATA, 0xa5, ...Buffer.from('input'), 0x83, 0xa3, ...Buffer.from('seq'), 0xce]));

export function colyseusInputTemplate(): Buffer {
  return COLYSEUS_INPUT.make();
}

export function writeColyseusInput(b: Buffer, seq: number, dx: number, dy: number): void {
  COLYSEUS_INPUT.write(b, seq, dx, dy);
}

// Ping: [ROOM_DATA]["ping"]{id: uint32}.
const PING_HEAD = Buffer.from([CY_ROOM_DATA, 0xa4, ...Buffer.from('ping'), 0x81, 0xa2, ...Buffer.from('id'), 0xce]);

export function colyseusPingTemplate(): Buffer {
  const b = Buffer.alloc(PING_HEAD.length + 4);
  PING_HEAD.copy(b, 0);
  return b;
}

export function writeColyseusPing(b: Buffer, id: number): void {
  b.writeUInt32BE(id >>> 0, PING_HEAD.length);
}
