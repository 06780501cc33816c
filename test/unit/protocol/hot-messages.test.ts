// The fast path for input and ping (shared/protocol/hot-messages.ts) against the general path
// (parseClientMessage): it must recognise the encodings clients really send, and for every byte
// string it recognises the general path must accept the same message with the same values. Byte
// strings it must leave to the general path (an invalid value, another encoding, an extra or repeated
// field, every truncation and every one-byte change of a valid message) are checked the same way:
// whatever the fast path answers, the general path agrees with it.
import { describe, expect, it } from 'vitest';
import { encode } from '../../../shared/protocol/codec.js';
import { HOT_INPUT, HOT_NONE, HOT_PING, hot, readHotMessage } from '../../../shared/protocol/hot-messages.js';
import { PROTOCOL_LIMITS } from '../../../shared/protocol/limits.js';
import { parseClientMessage } from '../../../shared/protocol/validate.js';

const DEPTH = PROTOCOL_LIMITS.maxMsgDepth;

/** What the fast path says of bytes, checked against the general path; returns its answer. */
function agree(bytes: Uint8Array): number {
  const kind = readHotMessage(bytes, DEPTH);
  if (kind === HOT_NONE) return kind;
  const p = parseClientMessage(bytes);
  expect(p.ok, `general path refuses bytes the fast path took: ${Buffer.from(bytes).toString('hex')}`).toBe(true);
  if (!p.ok) return kind;
  const m = p.msg as unknown as Record<string, number>;
  if (kind === HOT_INPUT) {
    expect(m.t).toBe('input');
    expect(Object.is(m.seq, hot.seq) && Object.is(m.dx, hot.dx) && Object.is(m.dy, hot.dy), `values differ: ${JSON.stringify(m)}`).toBe(true);
  } else {
    expect(kind).toBe(HOT_PING);
    expect(m.t).toBe('ping');
    expect(Object.is(m.id, hot.id)).toBe(true);
  }
  return kind;
}

/** A fixmap of fixstr keys with values given as raw MessagePack bytes. */
function map(entries: Array<[string, number[]]>): Uint8Array {
  const out: number[] = [0x80 + entries.length];
  for (const [k, v] of entries) out.push(0xa0 + k.length, ...Buffer.from(k), ...v);
  return Uint8Array.from(out);
}
const str = (s: string): number[] => [0xa0 + s.length, ...Buffer.from(s)];
const f32 = (v: number): number[] => { const b = Buffer.alloc(5); b[0] = 0xca; b.writeFloatBE(v, 1); return [...b]; };
const f64 = (v: number): number[] => { const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(v, 1); return [...b]; };
const i8 = (v: number): number[] => [0xd0, v & 0xff];
const i16 = (v: number): number[] => [0xd1, (v >> 8) & 0xff, v & 0xff];
const i32 = (v: number): number[] => { const b = Buffer.alloc(5); b[0] = 0xd2; b.writeInt32BE(v, 1); return [...b]; };
const u8 = (v: number): number[] => [0xcc, v];
const u16 = (v: number): number[] => [0xcd, v >> 8, v & 0xff];
const u32 = (v: number): number[] => { const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); return [...b]; };
const u64 = (v: number): number[] => { const b = Buffer.alloc(9); b[0] = 0xcf; b.writeBigUInt64BE(BigInt(v), 1); return [...b]; };

describe('input and ping read straight from their bytes', () => {
  it('recognises what the client library and the lean load client send, with the values the general path gives', () => {
    const seqs = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1];
    const units = [0, 1, -1, 0.5, -0.25, 0.7071067811865476, -0.9999999, 1e-300];
    for (const seq of seqs) for (const dx of units) for (const dy of units) {
      expect(agree(encode({ t: 'input', seq, dx, dy }))).toBe(HOT_INPUT);
    }
    for (const id of seqs) expect(agree(encode({ t: 'ping', id }))).toBe(HOT_PING);
    // The lean client's template: seq as uint32, dx and dy as float64 (loadtest/lean/input-template.ts).
    expect(agree(map([['t', str('input')], ['seq', u32(5)], ['dx', f64(0.6)], ['dy', f64(-0.8)]]))).toBe(HOT_INPUT);
    expect([hot.seq, hot.dx, hot.dy]).toEqual([5, 0.6, -0.8]);
    // Any field order, every number form decodeStrict reads to an accepted value.
    expect(agree(map([['dy', f32(0.5)], ['seq', u16(300)], ['t', str('input')], ['dx', i8(-1)]]))).toBe(HOT_INPUT);
    expect(agree(map([['dx', i16(0)], ['dy', i32(1)], ['t', str('input')], ['seq', u8(200)]]))).toBe(HOT_INPUT);
    expect(agree(map([['id', u32(4_000_000_000)], ['t', str('ping')]]))).toBe(HOT_PING);
    // -0 stays -0, a whole float seq is an unsigned integer, as they always were.
    expect(agree(map([['t', str('input')], ['seq', f64(3)], ['dx', f64(-0)], ['dy', f32(-0)]]))).toBe(HOT_INPUT);
    expect(Object.is(hot.dx, -0) && hot.seq === 3).toBe(true);
  });

  it('leaves every invalid message to the general path, which names its error', () => {
    const invalid: Uint8Array[] = [
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(1.0000001)], ['dy', f64(0)]]),
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(NaN)], ['dy', f64(0)]]),
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(0)], ['dy', f32(-Infinity)]]),
      map([['t', str('input')], ['seq', i8(-1)], ['dx', f64(0)], ['dy', f64(0)]]),
      map([['t', str('input')], ['seq', f64(1.5)], ['dx', f64(0)], ['dy', f64(0)]]),
      map([['t', str('input')], ['seq', f64(2 ** 53)], ['dx', f64(0)], ['dy', f64(0)]]),
      map([['t', str('input')], ['seq', u8(1)], ['dx', i8(2)], ['dy', f64(0)]]),
      map([['t', str('ping')], ['id', i32(-5)]]),
      map([['t', str('ping')], ['id', f32(0.5)]]),
      map([['t', str('ping')], ['id', str('7')]]),
    ];
    for (const b of invalid) {
      expect(readHotMessage(b, DEPTH), Buffer.from(b).toString('hex')).toBe(HOT_NONE);
      expect(parseClientMessage(b).ok).toBe(false);
    }
  });

  it('takes no other encoding, field set or trailing byte: those go the general way', () => {
    const others: Uint8Array[] = [
      // a repeated field: the general path keeps the last value
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(0)], ['dy', f64(0)], ['dx', f64(1)]]),
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(0)], ['dx', f64(1)]]),
      map([['t', str('ping')], ['t', str('ping')]]),
      // a missing or an extra field
      map([['t', str('input')], ['seq', u8(1)], ['dx', f64(0)]]),
      map([['t', str('ping')], ['id', u8(1)], ['x', u8(1)]]),
      map([['t', str('input')], ['id', u8(1)], ['dx', f64(0)], ['dy', f64(0)]]),
      map([['t', str('ping')], ['seq', u8(1)]]),
      // a type the fast path does not take, and a 64-bit integer
      map([['t', str('chat')], ['text', str('hi')]]),
      map([['t', str('pings')], ['id', u8(1)]]),
      map([['t', str('ping')], ['id', u64(9)]]),
      // t as a str 8, a key as a str 8
      Uint8Array.from([0x82, 0xa1, 0x74, 0xd9, 4, ...Buffer.from('ping'), 0xa2, 0x69, 0x64, 1]),
      Uint8Array.from([0x82, 0xd9, 1, 0x74, 0xa4, ...Buffer.from('ping'), 0xa2, 0x69, 0x64, 1]),
      // a trailing byte
      Uint8Array.from([...map([['t', str('ping')], ['id', u8(1)]]), 0]),
    ];
    for (const b of others) expect(readHotMessage(b, DEPTH), Buffer.from(b).toString('hex')).toBe(HOT_NONE);
    // The general path still reads what it always did: a repeated field's last value wins.
    const dup = parseClientMessage(others[0]!);
    expect(dup.ok && dup.msg).toEqual({ t: 'input', seq: 1, dx: 1, dy: 0 });
  });

  it('agrees with the general path on every truncation and every one-byte change of valid messages', () => {
    const valid = [
      map([['t', str('input')], ['seq', u32(77)], ['dx', f64(0.6)], ['dy', f64(-0.8)]]),
      map([['dy', f32(0.5)], ['seq', u16(300)], ['t', str('input')], ['dx', i8(-1)]]),
      encode({ t: 'ping', id: 300 }),
      map([['id', u32(70_000)], ['t', str('ping')]]),
    ];
    let taken = 0;
    let tried = 0;
    for (const v of valid) {
      for (let n = 0; n < v.length; n++) expect(agree(v.subarray(0, n))).toBe(HOT_NONE);
      for (let i = 0; i < v.length; i++) {
        for (const x of [0x00, 0x01, 0x3f, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xa1, 0xa2, 0xa4, 0xa5, 0xc0, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd9, 0xff, v[i]! ^ 1, v[i]! ^ 0x20]) {
          const b = Uint8Array.from(v);
          b[i] = x;
          tried++;
          if (agree(b) !== HOT_NONE) taken++;
        }
      }
    }
    // Some changes leave a valid message (another number in range): the fast path takes those.
    expect(taken).toBeGreaterThan(0);
    expect(tried).toBeGreaterThan(taken);
  });

  it('reads a frame inside a larger buffer (Node slices socket reads out of shared slabs)', () => {
    const body = map([['t', str('input')], ['seq', u32(9)], ['dx', f64(0.25)], ['dy', f32(-0.5)]]);
    const slab = Buffer.alloc(body.length + 13, 0xcb);
    slab.set(body, 7);
    expect(agree(slab.subarray(7, 7 + body.length))).toBe(HOT_INPUT);
    expect([hot.seq, hot.dx, hot.dy]).toEqual([9, 0.25, -0.5]);
  });
});
