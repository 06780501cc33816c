// A strict MessagePack decoder for the client protocol: plain MessagePack only. Every byte comes
// from an untrusted peer, so the work a frame can cause is bounded by its length:
//   - extension types (fixext/ext 8/16/32 of every type, timestamps included) are refused, so
//     there are no shared references, records or any other value that expands on decoding;
//   - a declared length (str, bin, array, map) is checked against the bytes left before anything
//     is allocated, so an element count is bounded by the frame's size;
//   - nesting is limited (maxDepth), so recursion cannot exhaust the stack;
//   - integers are decoded to JS numbers, and a 64-bit one that is not a safe integer is refused
//     rather than turned into a BigInt or a rounded number;
//   - strings must be UTF-8 and map keys must be strings;
//   - error messages name the offending byte's offset, never the input's content.
// Browser-safe: no Node Buffer.

import { PROTOCOL_LIMITS } from './limits.js';

export const DEFAULT_MAX_DEPTH: number = PROTOCOL_LIMITS.maxMsgDepth;

/** Why bytes are not one plain MessagePack value; the message never quotes the input. */
export class DecodeError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`${reason} (at byte ${offset})`);
    this.name = 'DecodeError';
  }
}

const EMPTY = new Uint8Array(0);
// Decoding is synchronous and calls no user code, so one module-level cursor is safe and saves
// passing state through every call on the hot path.
let src: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let depthLeft = 0;

// A view on the input's ArrayBuffer for floats, kept while frames keep coming from the same
// buffer (Node slices socket reads out of shared slabs), so a float costs no allocation.
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let viewOffset = 0;
// Node Buffers (every frame a server reads) can slice ASCII natively; a browser has no Buffer.
interface Latin1Slicer { latin1Slice(start: number, end: number): string }
const NodeBuffer = (globalThis as unknown as { Buffer?: new (...a: never[]) => Latin1Slicer }).Buffer;
let latin1: Latin1Slicer | null = null;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const fromCharCode = String.fromCharCode;

function fail(reason: string, at = pos): never {
  throw new DecodeError(reason, at);
}

/** Decodes exactly one plain MessagePack value from bytes; throws DecodeError otherwise. */
export function decodeStrict(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  src = bytes;
  pos = 0;
  end = bytes.length;
  depthLeft = maxDepth;
  if (view.buffer !== bytes.buffer) view = new DataView(bytes.buffer);
  viewOffset = bytes.byteOffset;
  latin1 = NodeBuffer !== undefined && bytes instanceof NodeBuffer ? bytes : null;
  try {
    const value = read();
    if (pos !== end) fail(`${end - pos} trailing bytes after the value`);
    return value;
  } finally {
    src = EMPTY; // do not pin the caller's frame
    latin1 = null;
  }
}

function need(n: number): void {
  if (end - pos < n) fail(`truncated: ${n} bytes needed, ${end - pos} left`);
}

function u8(): number {
  need(1);
  return src[pos++]!;
}

function u16(): number {
  need(2);
  const v = (src[pos]! << 8) | src[pos + 1]!;
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = src[pos]! * 0x1000000 + ((src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!);
  pos += 4;
  return v;
}

function read(): unknown {
  if (pos >= end) fail('truncated: a value was expected');
  const b = src[pos++]!;
  if (b < 0x80) return b;
  if (b < 0x90) return readMap(b & 0x0f);
  if (b < 0xa0) return readArray(b & 0x0f);
  if (b < 0xc0) return readStr(b & 0x1f);
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return readBin(u8());
    case 0xc5: return readBin(u16());
    case 0xc6: return readBin(u32());
    case 0xca: return readF32();
    case 0xcb: return readF64();
    case 0xcc: return u8();
    case 0xcd: return u16();
    case 0xce: return u32();
    case 0xcf: return readInt64(false);
    case 0xd0: return (u8() << 24) >> 24;
    case 0xd1: return (u16() << 16) >> 16;
    case 0xd2: return u32() | 0;
    case 0xd3: return readInt64(true);
    case 0xd9: return readStr(u8());
    case 0xda: return readStr(u16());
    case 0xdb: return readStr(u32());
    case 0xdc: return readArray(u16());
    case 0xdd: return readArray(u32());
    case 0xde: return readMap(u16());
    case 0xdf: return readMap(u32());
    case 0xc1: return fail('byte 0xc1 is never used in MessagePack', pos - 1);
    default: return fail(`extension types are not accepted (type byte 0x${b.toString(16)})`, pos - 1);
  }
}

function readMap(n: number): Record<string, unknown> {
  // Each entry takes at least two bytes: refuse a count the frame cannot hold before looping.
  if (n > (end - pos) / 2) fail(`map of ${n} entries longer than the ${end - pos} bytes left`);
  if (--depthLeft < 0) fail('nested too deep');
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = readKey();
    const value = read();
    // A key named __proto__ is an ordinary own field, never the object's prototype.
    if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
    else o[key] = value;
  }
  depthLeft++;
  return o;
}

function readKey(): string {
  if (pos >= end) fail('truncated: a map key was expected');
  const b = src[pos]!;
  if (b >= 0xa0 && b < 0xc0) {
    pos++;
    return readStr(b & 0x1f);
  }
  if (b === 0xd9 || b === 0xda || b === 0xdb) return read() as string;
  return fail('map keys must be strings');
}

function readArray(n: number): unknown[] {
  if (n > end - pos) fail(`array of ${n} elements longer than the ${end - pos} bytes left`);
  if (--depthLeft < 0) fail('nested too deep');
  const a = new Array<unknown>(n);
  for (let i = 0; i < n; i++) a[i] = read();
  depthLeft++;
  return a;
}

// Short ASCII strings (keys, message types, ids) repeat from message to message: a small cache
// keyed by their bytes hands back the same string, which saves building it and lets V8 find the
// property key it already knows. Entries are checked byte for byte, so a collision only costs a miss.
const CACHE_SLOTS = 4096;
const CACHE_MAX_LEN = 16;
const cacheStr: Array<string | undefined> = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX_LEN);
const cacheLen = new Uint8Array(CACHE_SLOTS);

function readStr(len: number): string {
  if (len > end - pos) fail(`string of ${len} bytes longer than the ${end - pos} bytes left`);
  const start = pos;
  pos += len;
  if (len === 0) return '';
  if (len <= CACHE_MAX_LEN) {
    let h = len;
    let high = 0;
    for (let i = start; i < pos; i++) {
      const c = src[i]!;
      high |= c;
      h = (Math.imul(h, 31) + c) | 0;
    }
    if (high >= 0x80) return utf8Slice(start, pos);
    const slot = (h ^ (h >>> 12)) & (CACHE_SLOTS - 1);
    const base = slot * CACHE_MAX_LEN;
    if (cacheLen[slot] === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (cacheBytes[base + i] !== src[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cacheStr[slot]!;
    }
    const str = asciiString(start, len);
    cacheStr[slot] = str;
    cacheLen[slot] = len;
    cacheBytes.set(src.subarray(start, pos), base);
    return str;
  }
  let high = 0;
  for (let i = start; i < pos; i++) high |= src[i]!;
  if (high < 0x80) {
    // ASCII: Node's latin1 slice is the fastest copy there is; a browser builds it in JS.
    if (latin1) return latin1.latin1Slice(start, pos);
    // eslint-disable-next-line prefer-spread -- apply takes the typed array as it is; a spread would iterate it first (hot path)
    if (len <= 64) return fromCharCode.apply(null, src.subarray(start, pos) as unknown as number[]);
  }
  return utf8Slice(start, pos);
}

/** bytes known to be ASCII, len 1..16 */
function asciiString(start: number, len: number): string {
  switch (len) {
    case 1: return fromCharCode(src[start]!);
    case 2: return fromCharCode(src[start]!, src[start + 1]!);
    case 3: return fromCharCode(src[start]!, src[start + 1]!, src[start + 2]!);
    case 4: return fromCharCode(src[start]!, src[start + 1]!, src[start + 2]!, src[start + 3]!);
    // eslint-disable-next-line prefer-spread -- apply takes the typed array as it is; a spread would iterate it first (hot path)
    default: return fromCharCode.apply(null, src.subarray(start, start + len) as unknown as number[]);
  }
}

function utf8Slice(start: number, stop: number): string {
  try {
    return utf8.decode(src.subarray(start, stop));
  } catch {
    return fail('a string is not valid UTF-8', start);
  }
}

function readBin(len: number): Uint8Array {
  if (len > end - pos) fail(`bin of ${len} bytes longer than the ${end - pos} bytes left`);
  // A copy, so a kept value does not pin the frame it came in.
  const out = new Uint8Array(len);
  out.set(src.subarray(pos, pos + len));
  pos += len;
  return out;
}

function readF32(): number {
  need(4);
  const v = view.getFloat32(viewOffset + pos);
  pos += 4;
  return v;
}

function readF64(): number {
  need(8);
  const v = view.getFloat64(viewOffset + pos);
  pos += 8;
  return v;
}

/** A uint64/int64 as a JS number when it is a safe integer; refused otherwise (never a BigInt). */
function readInt64(signed: boolean): number {
  need(8);
  const at = pos - 1;
  const hi = u32();
  const lo = u32();
  // hi within +-2^21 keeps hi * 2^32 + lo exact; the safe-integer check trims the last edge.
  const h = signed ? hi | 0 : hi;
  if (h > 0x1fffff || h < -0x200000) fail('a 64-bit integer beyond the safe range (+-(2^53-1))', at);
  const v = h * 0x100000000 + lo;
  if (!Number.isSafeInteger(v)) fail('a 64-bit integer beyond the safe range (+-(2^53-1))', at);
  return v;
}

/**
 * Reads the string values of some keys of a top-level map without building the rest: for the
 * primary, which only routes. Other values are skipped iteratively (no recursion, no allocation),
 * refusing extension types and lengths longer than the bytes left, in time linear in the bytes.
 * Skipped values are not checked further (depth, UTF-8, key types): the worker that gets the
 * connection decodes the frame with decodeStrict. Returns null unless bytes are one structurally
 * sound MessagePack map with string keys at its top; a wanted key whose value is not a string is
 * left out.
 */
export function scanMapStrings<K extends string>(bytes: Uint8Array, keys: readonly K[]): Partial<Record<K, string>> | null {
  src = bytes;
  pos = 0;
  end = bytes.length;
  try {
    const b = u8();
    let n: number;
    if (b >= 0x80 && b < 0x90) n = b & 0x0f;
    else if (b === 0xde) n = u16();
    else if (b === 0xdf) n = u32();
    else return null;
    if (n > (end - pos) / 2) return null;
    const out: Partial<Record<K, string>> = {};
    for (let i = 0; i < n; i++) {
      const key = readKey();
      const k = keys.indexOf(key as K);
      const vb = pos < end ? src[pos]! : -1;
      if (k >= 0 && ((vb >= 0xa0 && vb < 0xc0) || vb === 0xd9 || vb === 0xda || vb === 0xdb)) out[keys[k]!] = read() as string;
      else skip();
    }
    if (pos !== end) return null;
    return out;
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  } finally {
    src = EMPTY;
  }
}

/** Skips one value and everything nested in it; each value costs at least its first byte. */
function skip(): void {
  let pending = 1;
  while (pending > 0) {
    pending--;
    const b = u8();
    if (b < 0x80 || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    let n: number;
    if (b < 0x90) n = 2 * (b & 0x0f);
    else if (b < 0xa0) n = b & 0x0f;
    else if (b < 0xc0) {
      skipBytes(b & 0x1f);
      continue;
    } else {
      switch (b) {
        case 0xc4: case 0xd9: skipBytes(u8()); continue;
        case 0xc5: case 0xda: skipBytes(u16()); continue;
        case 0xc6: case 0xdb: skipBytes(u32()); continue;
        case 0xcc: case 0xd0: skipBytes(1); continue;
        case 0xcd: case 0xd1: skipBytes(2); continue;
        case 0xca: case 0xce: case 0xd2: skipBytes(4); continue;
        case 0xcb: case 0xcf: case 0xd3: skipBytes(8); continue;
        case 0xdc: n = u16(); break;
        case 0xdd: n = u32(); break;
        case 0xde: n = 2 * u16(); break;
        case 0xdf: n = 2 * u32(); break;
        default: fail('extension types are not accepted', pos - 1);
      }
    }
    pending += n;
    if (pending > end - pos) fail('a container longer than the bytes left');
  }
}

function skipBytes(n: number): void {
  need(n);
  pos += n;
}
