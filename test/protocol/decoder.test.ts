// The strict decoder reads every plain MessagePack value the way msgpackr does, reads everything
// the server encodes, and refuses — quickly, with a message that never quotes the input — every
// extension type, reference, length lie, trailing byte and nesting past the limit.
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encode } from '../../shared/protocol/codec.js';
import { DecodeError, decodeStrict, scanMapStrings } from '../../shared/protocol/decoder.js';
import { errorMsg } from '../../shared/protocol/messages.js';
import { parseClientMessage } from '../../shared/protocol/validate.js';
import { referenceChain } from '../helpers/msgpack.js';

const B = (...bytes: number[]) => Buffer.from(bytes);
const refused = (bytes: Uint8Array, depth?: number) => {
  try {
    decodeStrict(bytes, depth);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return (e as DecodeError).message;
  }
  throw new Error(`accepted ${Buffer.from(bytes).toString('hex').slice(0, 80)}`);
};
/** CPU ms this process spends in fn (not wall-clock: other programs' turns on a busy machine do not count). */
const cpuMs = (fn: () => void) => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const msgpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
/** msgpackr gives bin as a Node Buffer; the strict decoder as a plain Uint8Array (browser-safe). */
const plainBins = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(plainBins);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainBins(x)]));
  return v;
};

// Plain values as any MessagePack encoder writes them (no undefined: it has no plain encoding).
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.double(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'grapheme-ascii', minLength: 17, maxLength: 100 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 20 }), tie('value'), { maxKeys: 6 }).filter((d) => !Object.keys(d).includes('__proto__')),
  ),
})).value;

describe('reads plain MessagePack', () => {
  it('decodes every plain value exactly as msgpackr does', () => {
    fc.assert(
      fc.property(plain, (v) => {
        const bytes = encode(v);
        expect(decodeStrict(bytes, 64)).toEqual(plainBins(msgpackr.unpack(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every message the server sends', () => {
    const server = [
      { t: 'welcome', id: 'p1a', token: 'x'.repeat(43), room: 'lobby', hz: 20, tick: 0, resumed: false, world: { w: 1000, h: 1000 } },
      { t: 'state', tick: 2 ** 40, full: true, players: [['p1a', 12.5, 1000, 3], ['p2b', 0, -0.25, 0]], gone: ['p3c'], coins: [[1, 2.5, 3], [2, 4, 5, 5]], taken: [7] },
      { t: 'pong', id: 2 ** 32, tick: 5 },
      { t: 'chat', from: 'p1a', name: 'Zoë 🐟', text: 'ünïcødé and a long line '.repeat(20), scope: 'world' },
      { t: 'top', players: [['ada', 3], ['bob', 2]] },
      errorMsg('BAD_MESSAGE', 'nope'),
      { t: 'bye', reason: 'shutdown' },
      { t: 'bin', data: new Uint8Array([1, 2, 3]) },
    ];
    for (const m of server) expect(decodeStrict(encode(m))).toEqual(m);
  });

  it('leaves out an undefined field on encoding instead of writing an extension', () => {
    const bytes = encode({ t: 'hello', v: 1, name: 'a', room: undefined, list: [undefined] });
    expect(decodeStrict(bytes)).toEqual({ t: 'hello', v: 1, name: 'a', list: [null] });
    expect(parseClientMessage(bytes).ok).toBe(true);
  });

  it('decodes 64-bit integers to numbers while they are safe, and refuses the rest', () => {
    const u64 = (n: bigint) => { const b = Buffer.alloc(9); b[0] = 0xcf; b.writeBigUInt64BE(n, 1); return b; };
    const i64 = (n: bigint) => { const b = Buffer.alloc(9); b[0] = 0xd3; b.writeBigInt64BE(n, 1); return b; };
    expect(decodeStrict(u64(2n ** 32n))).toBe(2 ** 32);
    expect(decodeStrict(u64(0n))).toBe(0);
    expect(decodeStrict(u64(2n ** 53n - 1n))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeStrict(i64(-(2n ** 53n) + 1n))).toBe(Number.MIN_SAFE_INTEGER);
    expect(decodeStrict(i64(-1n))).toBe(-1);
    expect(decodeStrict(i64(2n ** 40n))).toBe(2 ** 40);
    for (const b of [u64(2n ** 53n), u64(2n ** 64n - 1n), i64(2n ** 53n), i64(-(2n ** 53n)), i64(-(2n ** 63n))]) {
      expect(refused(b)).toMatch(/safe range/);
    }
    expect(decodeStrict(B(0xce, 0xff, 0xff, 0xff, 0xff))).toBe(2 ** 32 - 1);
    expect(decodeStrict(B(0xd2, 0x80, 0, 0, 0))).toBe(-(2 ** 31));
    expect(decodeStrict(B(0xd1, 0x80, 0))).toBe(-32768);
    expect(decodeStrict(B(0xd0, 0x80))).toBe(-128);
    expect(decodeStrict(B(0xff))).toBe(-1);
  });

  it('decodes float edge cases', () => {
    expect(decodeStrict(B(0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0))).toBeNaN();
    expect(decodeStrict(B(0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0))).toBe(Infinity);
    expect(Object.is(decodeStrict(B(0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0)), -0)).toBe(true);
    expect(decodeStrict(B(0xca, 0x3f, 0xc0, 0, 0))).toBe(1.5);
    expect(decodeStrict(B(0xca, 0xff, 0x80, 0, 0))).toBe(-Infinity);
  });

  it('keeps a __proto__ key as an own field, never as the prototype', () => {
    const o = decodeStrict(B(0x81, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa1, 0x78, 0x01)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('refuses what is not plain MessagePack', () => {
  it('refuses every extension type, in every length form, timestamps included', () => {
    const forms = [
      (t: number) => B(0xd4, t, 0), (t: number) => B(0xd5, t, 0, 0), (t: number) => B(0xd6, t, 0, 0, 0, 0),
      (t: number) => B(0xd7, t, 0, 0, 0, 0, 0, 0, 0, 0), (t: number) => B(0xd8, t, ...new Array(16).fill(0)),
      (t: number) => B(0xc7, 1, t, 0), (t: number) => B(0xc8, 0, 1, t, 0), (t: number) => B(0xc9, 0, 0, 0, 1, t, 0),
    ];
    for (let t = 0; t < 256; t++) {
      for (const f of forms) {
        expect(refused(f(t))).toMatch(/extension types are not accepted/);
        // Anywhere in a message, not just at the top.
        expect(refused(Buffer.concat([B(0x82, 0xa1, 0x74, 0xa4, ...Buffer.from('ping'), 0xa1, 0x78), f(t)]))).toMatch(/extension/);
      }
    }
    expect(refused(new Packr().pack(new Date()))).toMatch(/extension/);
  });

  it('refuses a shared-reference chain at once, without expanding it', () => {
    const attack = referenceChain(40);
    expect(cpuMs(() => {
      expect(refused(attack)).toMatch(/extension/);
      expect(refused(Buffer.concat([attack, B(0)]))).toMatch(/extension/);
    })).toBeLessThan(50);
  });

  it('refuses declared lengths longer than the bytes left, before allocating', () => {
    const huge = [
      B(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61), B(0xc6, 0xff, 0xff, 0xff, 0xff, 1), B(0xdd, 0xff, 0xff, 0xff, 0xff, 1),
      B(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 1), B(0xda, 0xff, 0xff), B(0xc5, 0xff, 0xff), B(0xdc, 0xff, 0xff), B(0xde, 0xff, 0xff),
      B(0xd9, 0xff), B(0xc4, 0xff), B(0x9f), B(0x8f, 0xa1, 0x61, 0x01), B(0xbf),
      // Counts that fit the bytes one element each, but not a map's two.
      B(0xdf, 0, 0, 0, 3, 0xa1, 0x61, 1, 2),
    ];
    expect(cpuMs(() => {
      for (const b of huge) expect(refused(b)).toMatch(/longer than the \d+ bytes left/);
    })).toBeLessThan(50);
  });

  it('refuses every truncation of a valid message and any trailing byte', () => {
    const m = encode({ t: 'input', seq: 2 ** 40, dx: 0.5, dy: -1, extra: [1, 'two', { three: 3 }], b: new Uint8Array(3) });
    for (let n = 0; n < m.length; n++) refused(m.subarray(0, n));
    expect(refused(Buffer.concat([m, B(0)]))).toMatch(/1 trailing bytes/);
    expect(refused(Buffer.concat([m, m]))).toMatch(/trailing/);
  });

  it('limits nesting, and does not overflow the stack on deep input', () => {
    const nested = (d: number) => Buffer.concat([Buffer.alloc(d - 1, 0x91), B(0x90)]);
    expect(decodeStrict(nested(16))).toBeInstanceOf(Array);
    expect(refused(nested(17))).toMatch(/nested too deep/);
    expect(refused(nested(3), 2)).toMatch(/nested too deep/);
    expect(refused(nested(60_000), 16)).toMatch(/nested too deep/);
    const maps = Buffer.concat([...Array.from({ length: 20_000 }, () => B(0x81, 0xa1, 0x61)), B(0xc0)]);
    expect(refused(maps)).toMatch(/nested too deep/);
  });

  it('refuses 0xc1, non-string map keys and invalid UTF-8', () => {
    expect(refused(B(0xc1))).toMatch(/never used/);
    expect(refused(B(0x81, 0x01, 0x02))).toMatch(/keys must be strings/);
    expect(refused(B(0x81, 0xc0, 0x02))).toMatch(/keys must be strings/);
    expect(refused(B(0xa2, 0xc3, 0x28))).toMatch(/UTF-8/);
    expect(refused(B(0xa3, 0xed, 0xa0, 0x80))).toMatch(/UTF-8/); // an encoded surrogate
    expect(refused(B(0xd9, 20, ...Buffer.alloc(19, 0x61), 0xff))).toMatch(/UTF-8/);
  });

  it('never quotes the input in its error', () => {
    const secret = 'hunter2-secret-token';
    const bytes = Buffer.concat([encode({ t: 'hello', token: secret }), B(0)]);
    const msg = refused(bytes);
    expect(msg).not.toContain('hunter2');
    const p = parseClientMessage(Buffer.concat([encode({ t: 'chat', text: secret }).subarray(0, -1), B(0xd4, 0, 0)]));
    expect(p).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });
});

describe('the primary scan for routing', () => {
  it('reads t, room and token of a hello and nothing else', () => {
    const h = encode({ t: 'hello', v: 1, name: 'a', room: 'r1', token: 'tok', junk: [1, [2, { x: new Uint8Array(9) }], 'str', 1.5, -3, 2 ** 40] });
    expect(scanMapStrings(h, ['t', 'room', 'token'])).toEqual({ t: 'hello', room: 'r1', token: 'tok' });
    expect(scanMapStrings(encode({ t: 'hello', room: 5 }), ['t', 'room'])).toEqual({ t: 'hello' });
  });

  it('gives up on anything malformed, in linear time', () => {
    const chain = referenceChain(40);
    const bad = [
      B(0x91, 0xc0), B(0xc0), chain, Buffer.concat([encode({ t: 'hello' }), B(0)]), encode({ t: 'hello' }).subarray(0, 5),
      Buffer.concat([B(0x82, 0xa1, 0x74, 0xa5, ...Buffer.from('hello'), 0xa1, 0x78), B(0xd6, 0xff, 0, 0, 0, 0)]),
      B(0x81, 0xa1, 0x78, 0xdd, 0xff, 0xff, 0xff, 0xff), B(0x81, 0x01, 0x02),
      Buffer.concat([B(0x81, 0xa1, 0x78), Buffer.alloc(60_000, 0x91), B(0x90)]).subarray(0, 60_000),
    ];
    expect(cpuMs(() => {
      for (const b of bad) expect(scanMapStrings(b, ['t', 'room', 'token'])).toBeNull();
    })).toBeLessThan(50);
  });
});
