// Hostile MessagePack for tests: msgpackr's own shared-reference encoding, and a fast-check
// generator of MessagePack trees written byte by byte, so lengths can lie and anything can be cut.
import fc from 'fast-check';
import { Packr } from 'msgpackr';

/**
 * The "520-byte frame": msgpackr's structured-clone encoding of x = [x, x] nested `levels` deep.
 * Each level is an id extension (0x69) and a pointer extension (0x70) back to the level below, so a
 * decoder that follows references builds a value whose plain expansion has 2^levels leaves.
 */
export function referenceChain(levels = 40, wrapInHello = false): Buffer {
  let x: unknown = {};
  for (let i = 0; i < levels; i++) x = [x, x];
  const packr = new Packr({ structuredClone: true, useRecords: false });
  return packr.pack(wrapInHello ? { t: 'hello', v: 1, name: 'chain', x } : x);
}

/** A MessagePack tree, written out by `write`; `lie` changes a declared length. */
export type Node =
  | { k: 'raw'; bytes: number[] }
  | { k: 'str'; s: string; form: 0 | 8 | 16 | 32; lie: number }
  | { k: 'bin'; len: number; form: 8 | 16 | 32; lie: number }
  | { k: 'arr'; items: Node[]; form: 0 | 16 | 32; lie: number }
  | { k: 'map'; entries: Array<[Node, Node]>; form: 0 | 16 | 32; lie: number }
  | { k: 'ext'; type: number; len: number; form: 'fix' | 8 | 16 | 32 };

function lenBytes(n: number, size: 1 | 2 | 4): number[] {
  n = n >>> 0;
  if (size === 1) return [n & 0xff];
  if (size === 2) return [(n >> 8) & 0xff, n & 0xff];
  return [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function header(n: number, form: 0 | 8 | 16 | 32, fix: number, fixMax: number, c8: number | null, c16: number, c32: number): number[] {
  if (form === 0 && n >= 0 && n <= fixMax) return [fix | n];
  if (form === 8 && c8 !== null) return [c8, ...lenBytes(n, 1)];
  if (form === 32) return [c32, ...lenBytes(n, 4)];
  return [c16, ...lenBytes(n, 2)];
}

export function write(node: Node, out: number[] = []): number[] {
  switch (node.k) {
    case 'raw':
      out.push(...node.bytes);
      break;
    case 'str': {
      const b = [...Buffer.from(node.s)];
      out.push(...header(Math.max(0, b.length + node.lie), node.form, 0xa0, 31, 0xd9, 0xda, 0xdb), ...b);
      break;
    }
    case 'bin':
      out.push(...header(Math.max(0, node.len + node.lie), node.form, 0, -1, 0xc4, 0xc5, 0xc6), ...new Array<number>(node.len).fill(7));
      break;
    case 'arr':
      out.push(...header(Math.max(0, node.items.length + node.lie), node.form, 0x90, 15, null, 0xdc, 0xdd));
      for (const i of node.items) write(i, out);
      break;
    case 'map':
      out.push(...header(Math.max(0, node.entries.length + node.lie), node.form, 0x80, 15, null, 0xde, 0xdf));
      for (const [k, v] of node.entries) {
        write(k, out);
        write(v, out);
      }
      break;
    case 'ext': {
      const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
      if (node.form === 'fix' && fixed[node.len]) out.push(fixed[node.len]!, node.type & 0xff);
      else if (node.form === 16) out.push(0xc8, ...lenBytes(node.len, 2), node.type & 0xff);
      else if (node.form === 32) out.push(0xc9, ...lenBytes(node.len, 4), node.type & 0xff);
      else out.push(0xc7, node.len & 0xff, node.type & 0xff);
      out.push(...new Array<number>(node.form === 'fix' && !fixed[node.len] ? node.len & 0xff : node.len).fill(0));
      break;
    }
  }
  return out;
}

/** A scalar written raw: every fixed-size type, with edge values. */
const scalar: fc.Arbitrary<Node> = fc.oneof(
  fc.constantFrom(
    [0xc0], [0xc2], [0xc3], [0x00], [0x7f], [0xe0], [0xff], [0xc1],
    [0xcc, 0xff], [0xcd, 0xff, 0xff], [0xce, 0xff, 0xff, 0xff, 0xff], [0xd0, 0x80], [0xd1, 0x80, 0], [0xd2, 0x80, 0, 0, 0],
    [0xcf, 0, 0, 0, 1, 0, 0, 0, 0], [0xcf, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0],
    [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xd3, 0xff, 0xe0, 0, 0, 0, 0, 0, 1], [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    [0xca, 0x7f, 0xc0, 0, 0], [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], [0xcb, 0xff, 0xf0, 0, 0, 0, 0, 0, 0], [0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0],
    [0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0],
  ).map((bytes): Node => ({ k: 'raw', bytes: [...bytes] })),
  fc.integer({ min: 0, max: 0x7f }).map((b): Node => ({ k: 'raw', bytes: [b] })),
);

const lie = fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(0xffff, 0x7fffffff, 0xffffffff) });
const strNode = (s: fc.Arbitrary<string>): fc.Arbitrary<Node> =>
  fc.record({ k: fc.constant('str' as const), s, form: fc.constantFrom(0 as const, 8 as const, 16 as const, 32 as const), lie });
const extNode: fc.Arbitrary<Node> = fc.record({
  k: fc.constant('ext' as const),
  // 0x69/0x70: msgpackr's references; 0xff: timestamp (-1); 0x00: its undefined; any other too.
  type: fc.oneof(fc.constantFrom(0x69, 0x70, 0xff, 0x00, 0x73, 0x74, 0x78), fc.integer({ min: 0, max: 255 })),
  len: fc.constantFrom(0, 1, 2, 4, 5, 8, 12, 16),
  form: fc.constantFrom('fix' as const, 8 as const, 16 as const, 32 as const),
});
const KEYS = ['t', 'v', 'name', 'room', 'token', 'seq', 'dx', 'dy', 'text', 'scope', 'id', 'x', '__proto__'];
const TYPES = ['hello', 'input', 'chat', 'ping', 'top', 'leave', 'bogus'];

/** MessagePack trees, mostly maps shaped like client messages, with lies, extensions and junk. */
export const msgpackTree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    scalar,
    strNode(fc.oneof(fc.constantFrom(...TYPES, ...KEYS), fc.string({ maxLength: 40 }))),
    fc.record({ k: fc.constant('bin' as const), len: fc.nat(40), form: fc.constantFrom(8 as const, 16 as const, 32 as const), lie }),
    extNode,
    fc.record({ k: fc.constant('arr' as const), items: fc.array(tie('node'), { maxLength: 5 }), form: fc.constantFrom(0 as const, 16 as const, 32 as const), lie }),
    fc.record({
      k: fc.constant('map' as const),
      entries: fc.array(fc.tuple(fc.oneof({ weight: 6, arbitrary: strNode(fc.constantFrom(...KEYS)) }, { weight: 1, arbitrary: tie('node') }), tie('node')), { maxLength: 6 }),
      form: fc.constantFrom(0 as const, 16 as const, 32 as const),
      lie,
    }),
  ),
})).node;

/** Bytes of a tree, sometimes cut short, sometimes with bytes after it, sometimes nested very deep. */
export const msgpackBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: msgpackTree.map((n) => Uint8Array.from(write(n))) },
  { weight: 1, arbitrary: fc.tuple(msgpackTree, fc.nat()).map(([n, cut]) => { const b = write(n); return Uint8Array.from(b.slice(0, Math.max(1, cut % (b.length + 1)))); }) },
  { weight: 1, arbitrary: fc.tuple(msgpackTree, fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([n, tail]) => Uint8Array.from([...write(n), ...tail])) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(0x91, 0x81)).map(([d, b]) => Uint8Array.from([...new Array<number>(d).fill(b).flatMap((x) => (x === 0x81 ? [0x81, 0xa1, 0x78] : [x])), 0xc0])) },
  // msgpackr's reference chains, sometimes with the trailing byte that made msgpackr quote them.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 60 }), fc.boolean(), fc.boolean()).map(([levels, inHello, tail]) => Uint8Array.from([...referenceChain(levels, inHello), ...(tail ? [0] : [])])) },
);
