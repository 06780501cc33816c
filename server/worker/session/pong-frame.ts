// A pong's framed bytes written by hand: a pong answers every ping of every player, and its map
// (t, id, tick: two unsigned integers) is simple enough to write without the general encoder. The
// bytes are exactly what encodeFramed makes of { t: 'pong', id, tick } (test/unit/worker/pong-frame.test.ts
// compares them); a value past uint32 goes through encodeFramed itself.
import { encodeFramed } from '../../../shared/protocol/framing.js';

// fixmap(3), fixstr "t", fixstr "pong", fixstr "id"
const HEAD = [0x83, 0xa1, 0x74, 0xa4, 0x70, 0x6f, 0x6e, 0x67, 0xa2, 0x69, 0x64];
// fixstr "tick"
const TICK_KEY = [0xa4, 0x74, 0x69, 0x63, 0x6b];

/** Bytes MessagePack takes for an unsigned integer below 2^32, as msgpackr writes it. */
function uintBytes(v: number): number {
  return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : 5;
}

function writeUint(out: Buffer, at: number, v: number): number {
  if (v < 0x80) {
    out[at] = v;
    return at + 1;
  }
  if (v < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = v;
    return at + 2;
  }
  if (v < 0x10000) {
    out[at] = 0xcd;
    out.writeUInt16BE(v, at + 1);
    return at + 3;
  }
  out[at] = 0xce;
  out.writeUInt32BE(v, at + 1);
  return at + 5;
}

/** `{ t: 'pong', id, tick }` with its 4-byte frame header, as encodeFramed would make it. */
export function pongFramed(id: number, tick: number): Buffer {
  if (!(id >= 0 && id <= 0xffffffff && tick >= 0 && tick <= 0xffffffff) || !Number.isInteger(id) || !Number.isInteger(tick)) {
    return encodeFramed({ t: 'pong', id, tick });
  }
  const body = HEAD.length + uintBytes(id) + TICK_KEY.length + uintBytes(tick);
  const out = Buffer.allocUnsafe(4 + body);
  out.writeUInt32BE(body, 0);
  let at = 4;
  for (let i = 0; i < HEAD.length; i++) out[at++] = HEAD[i]!;
  at = writeUint(out, at, id);
  for (let i = 0; i < TICK_KEY.length; i++) out[at++] = TICK_KEY[i]!;
  writeUint(out, at, tick);
  return out;
}
