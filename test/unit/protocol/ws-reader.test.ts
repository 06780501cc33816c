// WsReader is the server's reader of client WebSocket frames (RFC 6455 section 5): a wire format,
// checked here with byte vectors built by an independent encoder below (masked with a non-zero
// key), fed whole, split at every byte boundary and a byte at a time.
import { describe, expect, it } from 'vitest';
import { WsReader, type WsReadFail, type WsReadSink } from '../../../shared/protocol/ws-reader.js';

type Ev = ['msg', string] | ['ping', string] | ['pong'] | ['close', number] | ['fail', WsReadFail, number];

class Rec implements WsReadSink {
  ev: Ev[] = [];
  wsMessage(b: Buffer): void {
    this.ev.push(['msg', Buffer.from(b).toString('hex')]);
  }
  wsPing(p: Buffer): void {
    this.ev.push(['ping', Buffer.from(p).toString('hex')]);
  }
  wsPong(): void {
    this.ev.push(['pong']);
  }
  wsClose(code: number): void {
    this.ev.push(['close', code]);
  }
  wsFail(why: WsReadFail, detail: number): void {
    this.ev.push(['fail', why, detail]);
  }
}

const KEY = [0x37, 0xfa, 0x21, 0x3d];

/** One client frame: masked with KEY unless mask is false. */
function f(opcode: number, payload: Uint8Array | number[], o: { fin?: boolean; mask?: boolean; rsv?: number; len64?: bigint } = {}): Buffer {
  const p = Buffer.from(payload);
  const fin = o.fin ?? true;
  const mask = o.mask ?? true;
  const n = p.length;
  const ext = o.len64 !== undefined ? 8 : n < 126 ? 0 : n < 65536 ? 2 : 8;
  const out = Buffer.alloc(2 + ext + (mask ? 4 : 0) + n);
  out[0] = (fin ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  out[1] = (mask ? 0x80 : 0) | (ext === 0 ? n : ext === 2 ? 126 : 127);
  if (ext === 2) out.writeUInt16BE(n, 2);
  if (ext === 8) out.writeBigUInt64BE(o.len64 ?? BigInt(n), 2);
  let at = 2 + ext;
  if (mask) {
    out.set(KEY, at);
    at += 4;
  }
  for (let i = 0; i < n; i++) out[at + i] = p[i]! ^ (mask ? KEY[i & 3]! : 0);
  return out;
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function read(chunks: Buffer[], limits = { max: 1024, span: 4096, reads: 1000 }): Ev[] {
  const rec = new Rec();
  const r = new WsReader(rec, limits.max, limits.span, limits.reads);
  // The reader unmasks in place: give it copies so a vector can be fed again.
  for (const c of chunks) r.push(Buffer.from(c), 1);
  return rec.ev;
}

// A stream with a bit of everything a client may send: one-frame messages at each length form,
// a fragmented message with a ping and a pong between its fragments, an empty fragment, an empty
// message, a ping with a payload, and a close.
const A = bytes(5, 1);
const B = bytes(300, 2);
const C1 = bytes(3, 3);
const C2 = bytes(130, 4);
const STREAM = Buffer.concat([
  f(2, A),
  f(2, B),
  f(2, C1, { fin: false }),
  f(9, [1, 2, 3]),
  f(0, [], { fin: false }),
  f(10, []),
  f(0, C2),
  f(2, []),
  f(9, bytes(125, 5)),
  f(8, [0x03, 0xe8, 0x62, 0x79, 0x65]),
]);
const EXPECTED: Ev[] = [
  ['msg', hex(A)],
  ['msg', hex(B)],
  ['ping', '010203'],
  ['pong'],
  ['msg', hex(Buffer.concat([C1, C2]))],
  ['msg', ''],
  ['ping', hex(bytes(125, 5))],
  ['close', 1000],
];

describe('WsReader', () => {
  it('reads a stream of masked frames, fragments and control frames whole', () => {
    expect(read([STREAM])).toEqual(EXPECTED);
  });

  it('reads the same when the stream is split at every byte boundary', () => {
    for (let i = 1; i < STREAM.length; i++) {
      expect(read([STREAM.subarray(0, i), STREAM.subarray(i)]), `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it('reads the same a byte at a time, and three ways split', () => {
    expect(read(Array.from(STREAM, (b) => Buffer.from([b])))).toEqual(EXPECTED);
    for (let i = 1; i < STREAM.length; i += 7) {
      const j = Math.min(STREAM.length - 1, i + 13);
      expect(read([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)])).toEqual(EXPECTED);
    }
  });

  it('reads 16- and 64-bit lengths', () => {
    const big = bytes(1000, 9);
    expect(read([f(2, big, { len64: 1000n })], { max: 1000, span: 4096, reads: 10 })).toEqual([['msg', hex(big)]]);
    expect(read([f(2, bytes(65_536, 1))], { max: 70_000, span: 200_000, reads: 10 })).toEqual([['msg', hex(bytes(65_536, 1))]]);
  });

  it('knows when an unfinished message began, and forgets between messages', () => {
    const r = new WsReader(new Rec(), 1024, 4096, 1000);
    const s = Buffer.concat([f(2, [1], { fin: false }), f(0, [2])]);
    r.push(s.subarray(0, 3), 50);
    expect(r.since).toBe(50);
    r.push(s.subarray(3, 8), 60);
    expect(r.since).toBe(50);
    r.push(s.subarray(8), 70);
    expect(r.since).toBe(0);
    r.push(f(2, [1]), 80);
    expect(r.since).toBe(0);
  });

  it('refuses a message over the limit by its announced length, before its payload', () => {
    expect(read([f(2, bytes(1025, 0)).subarray(0, 8)])).toEqual([['fail', 'too-large', 1025]]);
    expect(read([f(2, bytes(1024, 0))])).toEqual([['msg', hex(bytes(1024, 0))]]);
    // Fragments count together.
    expect(read([f(2, bytes(600, 0), { fin: false }), f(0, bytes(425, 0)).subarray(0, 8)])).toEqual([['fail', 'too-large', 1025]]);
    // A 64-bit length past 2^32.
    expect(read([f(2, [1], { len64: 1n << 40n })])).toEqual([['fail', 'too-large', Infinity]]);
  });

  it('refuses an unfinished message spread over too many bytes or reads', () => {
    // Tiny fragments with pings between them: little payload, many socket bytes.
    const parts = [f(2, [1], { fin: false })];
    for (let i = 0; i < 60; i++) parts.push(f(9, bytes(100, i)), f(0, [i], { fin: false }));
    const all = Buffer.concat(parts);
    const chunks = Array.from({ length: Math.ceil(all.length / 500) }, (_, i) => all.subarray(i * 500, i * 500 + 500));
    const ev = read(chunks, { max: 1024, span: 4096, reads: 1000 });
    expect(ev.at(-1)).toEqual(['fail', 'too-spread', 0]);
    expect(ev.filter((e) => e[0] === 'ping').length).toBeLessThan(60);
    // A frame trickled a byte per read.
    const frame = f(2, bytes(200, 0));
    const drip = [frame.subarray(0, 6), ...Array.from(frame.subarray(6), (b) => Buffer.from([b]))];
    expect(read(drip, { max: 1024, span: 4096, reads: 100 })).toEqual([['fail', 'too-many-reads', 0]]);
    expect(read(drip, { max: 1024, span: 4096, reads: 250 })).toEqual([['msg', hex(bytes(200, 0))]]);
  });

  it.each([
    ['an unmasked frame', f(2, [1], { mask: false }), 'protocol'],
    ['RSV1 set', f(2, [1], { rsv: 4 }), 'protocol'],
    ['RSV3 set', f(2, [1], { rsv: 1 }), 'protocol'],
    ['reserved data opcode 3', f(3, [1]), 'protocol'],
    ['reserved control opcode 0xB', f(0xb, [1]), 'protocol'],
    ['a continuation with no message begun', f(0, [1]), 'protocol'],
    ['a fragmented ping', f(9, [1], { fin: false }), 'protocol'],
    ['a control frame over 125 bytes', f(9, bytes(126, 0)), 'protocol'],
    ['a close with a 1-byte payload', f(8, [3]), 'protocol'],
    ['a close with code 1005', f(8, [0x03, 0xed]), 'protocol'],
    ['a close with code 999', f(8, [0x03, 0xe7]), 'protocol'],
    ['a close whose reason is not UTF-8', f(8, [0x03, 0xe8, 0xff]), 'utf8'],
    ['a text message', f(1, [0x68]), 'text'],
  ] as const)('refuses %s and reads nothing after it', (_what, frame, why) => {
    expect(read([Buffer.concat([frame, f(2, [9])])])).toEqual([['fail', why, 0]]);
  });

  it('refuses a new message begun inside a fragmented one', () => {
    expect(read([Buffer.concat([f(2, [1], { fin: false }), f(2, [2])])])).toEqual([['fail', 'protocol', 0]]);
  });

  it('reads a close without a code as 1005, and nothing after a close', () => {
    expect(read([Buffer.concat([f(8, []), f(2, [1])])])).toEqual([['close', 1005]]);
  });

  it('skips data unbuffered once told to discard, still reading the close', () => {
    const rec = new Rec();
    const r = new WsReader(rec, 1024, 4096, 1000);
    r.push(f(2, [1]), 1);
    r.discard();
    r.push(Buffer.concat([f(2, bytes(1000, 0), { fin: false }), f(0, bytes(1000, 0)), f(9, [7]), f(8, [0x03, 0xe8])]), 2);
    expect(rec.ev).toEqual([['msg', '01'], ['ping', '07'], ['close', 1000]]);
  });
});
