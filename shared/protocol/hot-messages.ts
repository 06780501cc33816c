// The two messages a playing client sends most (`input` at its input rate, `ping` once a second)
// read straight from their bytes, without the decoded map, its keys' strings or the validation
// result the general path (validate.ts: decodeStrict, then validateClientMessage) builds for each.
// It recognises only the plainest encoding of each: a fixmap holding exactly the message's fields
// (fixstr keys, each once, in any order), `t` a fixstr, every other value a fixint, int 8/16/32,
// uint 8/16/32, float 32 or float 64, and nothing after the map. For such bytes, and only when
// they pass validation, it answers what the general path would (the same values: -0, NaN and a
// float seq are judged by the same rules, validate-rules.ts); anything else (another encoding, an
// extra or repeated field, a value out of range, any doubt) answers NONE and the caller takes the
// general path, which gives the same message or the same coded error it always did. So the fast
// path changes cost, never outcome (test/unit/protocol/hot-messages.test.ts compares the two).
// Browser-safe: no Node Buffer.
import { isUint, isUnit } from './validate-rules.js';

/** Not recognised: decode and validate in full (parseClientMessage). */
export const HOT_NONE = 0;
/** A valid `input`: its values are in `hot.seq`, `hot.dx`, `hot.dy`. */
export const HOT_INPUT = 1;
/** A valid `ping`: its id is in `hot.id`. */
export const HOT_PING = 2;
export type HotKind = typeof HOT_NONE | typeof HOT_INPUT | typeof HOT_PING;

/** The values of the last message recognised (overwritten by the next call): no object per message. */
export const hot = { seq: 0, dx: 0, dy: 0, id: 0 };

// Field bits, to see each field once and no other.
const F_T = 1;
const F_SEQ = 2;
const F_DX = 4;
const F_DY = 8;
const F_ID = 16;
const INPUT_FIELDS = F_T | F_SEQ | F_DX | F_DY;
const PING_FIELDS = F_T | F_ID;
const T_INPUT = 1;
const T_PING = 2;

// Synchronous and calling no user code: one module-level cursor, as in decoder.ts.
const EMPTY = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
/** Set when a value is not one this path reads: the message goes the general way. */
let bad = false;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));

/**
 * Reads `bytes` as a valid `input` or `ping` if it is one in its plainest encoding (see above);
 * HOT_NONE otherwise, including for every invalid message: the general path names its error.
 * `maxDepth`: the session's nesting limit (a message map is depth 1).
 */
export function readHotMessage(bytes: Uint8Array, maxDepth: number): HotKind {
  const n = bytes.length;
  // The smallest ping (fixmap, t, ping, id, fixint) is 11 bytes; an input of fixints 18.
  if (n < 11 || maxDepth < 1) return HOT_NONE;
  const b0 = bytes[0]!;
  const entries = b0 - 0x80;
  if (entries !== 2 && entries !== 4) return HOT_NONE;
  src = bytes;
  pos = 1;
  end = n;
  bad = false;
  const kind = readEntries(entries);
  src = EMPTY; // do not pin the caller's frame
  return kind;
}

function readEntries(entries: number): HotKind {
  let seen = 0;
  let t = 0;
  let seq = 0;
  let dx = 0;
  let dy = 0;
  let id = 0;
  for (let i = 0; i < entries; i++) {
    const f = readKey();
    if (f === 0 || (seen & f) !== 0) return HOT_NONE;
    seen |= f;
    if (f === F_T) {
      t = readType();
      if (t === 0) return HOT_NONE;
      continue;
    }
    const v = readNumber();
    if (bad) return HOT_NONE;
    if (f === F_SEQ) seq = v;
    else if (f === F_DX) dx = v;
    else if (f === F_DY) dy = v;
    else id = v;
  }
  if (pos !== end) return HOT_NONE;
  if (t === T_INPUT && seen === INPUT_FIELDS) {
    if (!isUint(seq) || !isUnit(dx) || !isUnit(dy)) return HOT_NONE;
    hot.seq = seq;
    hot.dx = dx;
    hot.dy = dy;
    return HOT_INPUT;
  }
  if (t === T_PING && seen === PING_FIELDS) {
    if (!isUint(id)) return HOT_NONE;
    hot.id = id;
    return HOT_PING;
  }
  return HOT_NONE;
}

/** The field a fixstr key names (t, seq, dx, dy, id), or 0. */
function readKey(): number {
  if (pos >= end) return 0;
  const b = src[pos]!;
  const len = b - 0xa0;
  if (len < 1 || len > 3 || end - pos - 1 < len) return 0;
  const c0 = src[pos + 1]!;
  pos += 1 + len;
  if (len === 1) return c0 === 0x74 ? F_T : 0; // t
  if (len === 2) {
    const c1 = src[pos - 1]!;
    if (c0 === 0x64) return c1 === 0x78 ? F_DX : c1 === 0x79 ? F_DY : 0; // dx, dy
    return c0 === 0x69 && c1 === 0x64 ? F_ID : 0; // id
  }
  return c0 === 0x73 && src[pos - 2] === 0x65 && src[pos - 1] === 0x71 ? F_SEQ : 0; // seq
}

/** T_INPUT for fixstr "input", T_PING for fixstr "ping", else 0. */
function readType(): number {
  if (pos >= end) return 0;
  const b = src[pos]!;
  if (b === 0xa5 && end - pos >= 6 && src[pos + 1] === 0x69 && src[pos + 2] === 0x6e && src[pos + 3] === 0x70 && src[pos + 4] === 0x75 && src[pos + 5] === 0x74) {
    pos += 6;
    return T_INPUT;
  }
  if (b === 0xa4 && end - pos >= 5 && src[pos + 1] === 0x70 && src[pos + 2] === 0x69 && src[pos + 3] === 0x6e && src[pos + 4] === 0x67) {
    pos += 5;
    return T_PING;
  }
  return 0;
}

/** A number as decodeStrict reads it; sets `bad` for any other value or a truncated one. */
function readNumber(): number {
  if (pos >= end) return fail();
  const b = src[pos++]!;
  if (b < 0x80) return b;
  if (b >= 0xe0) return b - 0x100;
  const left = end - pos;
  let v: number;
  switch (b) {
    case 0xcc:
      if (left < 1) return fail();
      return src[pos++]!;
    case 0xcd:
      if (left < 2) return fail();
      v = (src[pos]! << 8) | src[pos + 1]!;
      pos += 2;
      return v;
    case 0xce:
      if (left < 4) return fail();
      v = src[pos]! * 0x1000000 + ((src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!);
      pos += 4;
      return v;
    case 0xd0:
      if (left < 1) return fail();
      return (src[pos++]! << 24) >> 24;
    case 0xd1:
      if (left < 2) return fail();
      v = (((src[pos]! << 8) | src[pos + 1]!) << 16) >> 16;
      pos += 2;
      return v;
    case 0xd2:
      if (left < 4) return fail();
      v = (src[pos]! << 24) | (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!;
      pos += 4;
      return v;
    case 0xca:
      if (left < 4) return fail();
      v = viewOf().getFloat32(src.byteOffset + pos);
      pos += 4;
      return v;
    case 0xcb:
      if (left < 8) return fail();
      v = viewOf().getFloat64(src.byteOffset + pos);
      pos += 8;
      return v;
    default:
      return fail();
  }
}

/** A view on the input's buffer, kept while frames keep coming from the same one (Node's slabs). */
function viewOf(): DataView<ArrayBufferLike> {
  if (view.buffer !== src.buffer) view = new DataView(src.buffer);
  return view;
}

function fail(): number {
  bad = true;
  return 0;
}
