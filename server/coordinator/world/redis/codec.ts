// World values as they sit in Redis: MessagePack, packed canonically (object keys sorted, at every
// depth), so two deep-equal values are the same bytes and compare-and-set can compare bytes in Lua.
// An empty string stands for null (no MessagePack value is empty).
import { pack, unpack } from 'msgpackr';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
  return out;
}

const EMPTY = Buffer.alloc(0);

export function packValue(v: unknown): Buffer {
  return v === null || v === undefined ? EMPTY : pack(canonical(v));
}

export function unpackValue(b: Buffer | null | undefined): unknown {
  return !b || b.length === 0 ? null : (unpack(b) as unknown);
}
