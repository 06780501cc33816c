// The bytes of the embedded store's files, and how to read them back with every kind of damage
// found and placed (file and byte offset). Shared by the live store and the repair command.
//
//   checkpoint.bin  "SHL1" | u32 generation | u32 length | u32 crc32 | msgpack(SavedState)
//   log.<gen>       records of u32 length | u32 crc32 | msgpack(Change[])
import zlib from 'node:zlib';
import { Packr, Unpackr } from 'msgpackr';
import { batchProblem, worldProblem } from './shape.js';
import type { Change, SavedState } from './types.js';

export const MAGIC = Buffer.from('SHL1');
export const RECORD_HEAD = 8;
const CHECKPOINT_HEAD = 16;
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Damage that refuses a start: where it is and what is wrong. */
export class StoreDamage extends Error {
  readonly code = 'STORE_DAMAGED';
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`${file}: ${reason} at offset ${offset}`);
  }
}

export function encodeRecord(changes: Change[]): Buffer {
  const body = packr.pack(changes);
  const rec = Buffer.allocUnsafe(RECORD_HEAD + body.length);
  rec.writeUInt32BE(body.length, 0);
  rec.writeUInt32BE(zlib.crc32(body), 4);
  body.copy(rec, RECORD_HEAD);
  return rec;
}

export function encodeCheckpoint(generation: number, world: SavedState): Buffer[] {
  const body = packr.pack(world);
  const head = Buffer.alloc(CHECKPOINT_HEAD);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(generation, 4);
  head.writeUInt32BE(body.length, 8);
  head.writeUInt32BE(zlib.crc32(body), 12);
  return [head, body];
}

/** A checkpoint's generation and world; throws StoreDamage naming what is wrong. */
export function decodeCheckpoint(file: string, buf: Buffer): { generation: number; world: SavedState } {
  if (buf.length < CHECKPOINT_HEAD || !buf.subarray(0, 4).equals(MAGIC)) throw new StoreDamage(file, 0, 'not a Shoal checkpoint (bad header)');
  const len = buf.readUInt32BE(8);
  if (buf.length !== CHECKPOINT_HEAD + len) {
    throw new StoreDamage(file, 8, `checkpoint declares ${len} bytes but holds ${buf.length - CHECKPOINT_HEAD}`);
  }
  const body = buf.subarray(CHECKPOINT_HEAD);
  if (zlib.crc32(body) !== buf.readUInt32BE(12)) throw new StoreDamage(file, CHECKPOINT_HEAD, 'checkpoint fails its checksum');
  let world: unknown;
  try {
    world = unpackr.unpack(body);
  } catch {
    throw new StoreDamage(file, CHECKPOINT_HEAD, 'checkpoint does not decode');
  }
  const problem = worldProblem(world);
  if (problem) throw new StoreDamage(file, CHECKPOINT_HEAD, `checkpoint has the wrong shape (${problem})`);
  return { generation: buf.readUInt32BE(4), world: world as SavedState };
}

type Attempt = { ok: true; len: number; batch: Change[] } | { ok: false; incomplete: boolean; reason: string };

function readRecord(buf: Buffer, off: number): Attempt {
  if (buf.length - off < RECORD_HEAD) return { ok: false, incomplete: true, reason: 'record header is cut short' };
  const len = buf.readUInt32BE(off);
  if (off + RECORD_HEAD + len > buf.length) return { ok: false, incomplete: true, reason: `record of ${len} bytes runs past the end of the file` };
  const body = buf.subarray(off + RECORD_HEAD, off + RECORD_HEAD + len);
  if (zlib.crc32(body) !== buf.readUInt32BE(off + 4)) return { ok: false, incomplete: false, reason: 'record fails its checksum' };
  let batch: unknown;
  try {
    batch = unpackr.unpack(body);
  } catch {
    return { ok: false, incomplete: false, reason: 'record does not decode' };
  }
  const problem = batchProblem(batch);
  if (problem) return { ok: false, incomplete: false, reason: `record has the wrong shape (${problem})` };
  return { ok: true, len, batch: batch as Change[] };
}

/** The next offset after `from` where a whole valid record starts, or -1. */
function nextRecord(buf: Buffer, from: number): number {
  for (let o = from; o + RECORD_HEAD < buf.length; o++) {
    const len = buf.readUInt32BE(o);
    if (len === 0 || o + RECORD_HEAD + len > buf.length) continue;
    // Every body is a msgpack array: skip the checksum where the first byte cannot start one.
    const first = buf[o + RECORD_HEAD]!;
    if (!((first > 0x90 && first <= 0x9f) || first === 0xdc || first === 0xdd)) continue;
    if (readRecord(buf, o).ok) return o;
  }
  return -1;
}

export interface LogScan {
  batches: Change[][];
  /** Byte ranges that hold no valid record, each with why. */
  damage: Array<{ offset: number; end: number; reason: string }>;
  /** An incomplete last record (a write cut short by a crash), or zero bytes to the end. */
  torn?: { offset: number; bytes: number };
}

/**
 * Reads every valid record of a log. A bad record is damage unless nothing valid follows it and
 * it is incomplete or only zero bytes follow: that is a torn tail, allowed in the live (last) log.
 */
export function scanLog(buf: Buffer, tornAllowed: boolean): LogScan {
  const scan: LogScan = { batches: [], damage: [] };
  let off = 0;
  while (off < buf.length) {
    const r = readRecord(buf, off);
    if (r.ok) {
      scan.batches.push(r.batch);
      off += RECORD_HEAD + r.len;
      continue;
    }
    const next = nextRecord(buf, off + 1);
    if (next < 0 && tornAllowed && (r.incomplete || allZero(buf, off))) {
      scan.torn = { offset: off, bytes: buf.length - off };
      break;
    }
    scan.damage.push({ offset: off, end: next < 0 ? buf.length : next, reason: r.reason });
    if (next < 0) break;
    off = next;
  }
  return scan;
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
