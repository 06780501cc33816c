// The PROXY protocol header parser on its own (no server): v1 and v2 as HAProxy sends them, every
// way a header can be malformed, and a fuzz run that only ever gets 'ok', 'more' or 'bad'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProxyHeader, proxySignature, V2_SIGNATURE } from '../../server/primary/net/proxy-header.js';

const v1 = (s: string) => Buffer.from(s, 'latin1');

function v2(o: { cmd?: number; fam?: number; proto?: number; addr?: number[]; tlv?: number[]; len?: number; ver?: number }): Buffer {
  const body = Buffer.from([...(o.addr ?? []), ...(o.tlv ?? [])]);
  const head = Buffer.alloc(4);
  head[0] = ((o.ver ?? 2) << 4) | (o.cmd ?? 1);
  head[1] = ((o.fam ?? 1) << 4) | (o.proto ?? 1);
  head.writeUInt16BE(o.len ?? body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}
const tcp4 = [203, 0, 113, 7, 10, 0, 0, 1, 0x30, 0x39, 0x1f, 0x40]; // 203.0.113.7:12345 -> 10.0.0.1:8000
const tcp6 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, ...Array(15).fill(0), 2, 0x30, 0x39, 0x1f, 0x40];

describe('PROXY v1', () => {
  it('reads TCP4 and TCP6 lines and says where the client bytes start', () => {
    const line = 'PROXY TCP4 203.0.113.7 10.0.0.1 12345 8000\r\n';
    expect(parseProxyHeader(Buffer.concat([v1(line), Buffer.from([0, 0, 0, 9])]))).toEqual({ kind: 'ok', length: line.length, source: '203.0.113.7', port: 12345 });
    expect(parseProxyHeader(v1('PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::2 1 65535\r\n'))).toMatchObject({ kind: 'ok', source: '2001:db8::1', port: 1 });
  });

  it('takes UNKNOWN as the proxy\'s own connection (no client address), up to 107 bytes', () => {
    expect(parseProxyHeader(v1('PROXY UNKNOWN ' + 'x'.repeat(91) + '\r\n'))).toEqual({ kind: 'ok', length: 107 });
    expect(parseProxyHeader(v1('PROXY UNKNOWN\r\nGET /'))).toEqual({ kind: 'ok', length: 15 });
    expect(parseProxyHeader(v1('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'))).toEqual({ kind: 'ok', length: 35 });
  });

  it('waits for more while the line is an unfinished prefix, whatever the split', () => {
    const line = 'PROXY TCP4 203.0.113.7 10.0.0.1 12345 8000\r\n';
    for (let i = 0; i < line.length; i++) expect(parseProxyHeader(v1(line.slice(0, i))).kind).toBe('more');
  });

  it.each([
    // UNKNOWN takes any rest of the line, so only the length can refuse this one.
    ['a line past 107 bytes', 'PROXY UNKNOWN ' + 'x'.repeat(92) + '\r\n'],
    ['107 bytes and no CRLF', 'PROXY TCP4 ' + '1'.repeat(96)],
    ['a protocol other than TCP4/TCP6/UNKNOWN', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'],
    ['an IPv6 source in a TCP4 line', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n'],
    ['a bad address', 'PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n'],
    ['a port past 65535', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'],
    ['a port with a sign', 'PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n'],
    ['a field missing', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'],
    ['a double space', 'PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'],
    ['a control byte', 'PROXY TCP4 1.2.3.4\x00 5.6.7.8 1 2\r\n'],
    ['a bare LF', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'],
  ])('refuses %s', (_what, text) => {
    expect(parseProxyHeader(v1(text)).kind).toBe('bad');
  });
});

describe('PROXY v2', () => {
  it('reads TCP over IPv4 and IPv6, skipping TLVs', () => {
    const tlv = [0x04, 0x00, 0x03, 0x61, 0x62, 0x63]; // PP2_TYPE_NOOP, 3 bytes
    const h = v2({ addr: tcp4, tlv });
    expect(parseProxyHeader(Buffer.concat([h, Buffer.from('GET / HTTP/1.1\r\n')]))).toEqual({ kind: 'ok', length: 16 + 12 + 6, source: '203.0.113.7', port: 12345 });
    expect(parseProxyHeader(v2({ fam: 2, addr: tcp6 }))).toEqual({ kind: 'ok', length: 16 + 36, source: '2001:db8::1', port: 12345 });
  });

  it('takes LOCAL, UNSPEC and UNIX as the proxy\'s own connection', () => {
    expect(parseProxyHeader(v2({ cmd: 0, fam: 0, proto: 0 }))).toEqual({ kind: 'ok', length: 16 });
    expect(parseProxyHeader(v2({ cmd: 0, addr: tcp4 }))).toEqual({ kind: 'ok', length: 28 });
    expect(parseProxyHeader(v2({ fam: 3, addr: Array(216).fill(0x2f) }))).toEqual({ kind: 'ok', length: 16 + 216 });
  });

  it('waits for more until the whole announced length is there', () => {
    const h = v2({ addr: tcp4, tlv: [4, 0, 1, 0] });
    for (let i = 0; i < h.length; i++) expect(parseProxyHeader(h.subarray(0, i)).kind).toBe('more');
    expect(parseProxyHeader(h).kind).toBe('ok');
  });

  it.each([
    ['version 1 in the binary form', { ver: 1, addr: tcp4 }],
    ['an unknown command', { cmd: 2, addr: tcp4 }],
    ['an unknown family', { fam: 4, addr: tcp4 }],
    ['an unknown transport', { proto: 3, addr: tcp4 }],
    ['an address block shorter than its family', { fam: 2, addr: tcp4 }],
  ])('refuses %s', (_what, o) => {
    expect(parseProxyHeader(v2(o)).kind).toBe('bad');
  });

  it('refuses bytes that are no PROXY header at all (a trusted proxy must send one)', () => {
    expect(parseProxyHeader(Buffer.from([0, 0, 0, 5])).kind).toBe('bad');
    expect(parseProxyHeader(v1('GET /health HTTP/1.1\r\n')).kind).toBe('bad');
    expect(parseProxyHeader(v1('PROXX')).kind).toBe('bad');
  });

  it('tells a signature from a prefix of one', () => {
    expect(proxySignature(v1('PROX'))).toBe('maybe');
    expect(proxySignature(v1('PROXY '))).toBe('yes');
    expect(proxySignature(V2_SIGNATURE.subarray(0, 5))).toBe('maybe');
    expect(proxySignature(V2_SIGNATURE)).toBe('yes');
    expect(proxySignature(v1('POST / HTTP/1.1'))).toBe('no');
  });
});

describe('PROXY header fuzz', () => {
  const verdict = (b: Buffer) => {
    const r = parseProxyHeader(b);
    expect(['ok', 'more', 'bad']).toContain(r.kind);
    if (r.kind === 'ok') {
      expect(r.length).toBeGreaterThan(0);
      expect(r.length).toBeLessThanOrEqual(b.length);
      expect(r.length).toBeLessThanOrEqual(16 + 65535);
    }
    if (r.kind === 'more') expect(b.length).toBeLessThan(16 + 65535);
    return r;
  };

  it('random bytes behind either signature get a verdict, never a throw', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 300 }), (text, tail) => {
        verdict(Buffer.concat([text ? v1('PROXY ') : V2_SIGNATURE, Buffer.from(tail)]));
      }),
      { numRuns: 5000 },
    );
  });

  it('mutated well-formed headers get a verdict, and a v1 line never passes 107 bytes', () => {
    const good = [
      v1('PROXY TCP4 203.0.113.7 10.0.0.1 12345 8000\r\n'),
      v1('PROXY TCP6 2001:db8::1 ::2 1 65535\r\n'),
      v2({ addr: tcp4, tlv: [4, 0, 1, 0] }),
      v2({ fam: 2, addr: tcp6 }),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...good), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (g, flips, cut) => {
        const b = Buffer.from(g);
        for (const [at, byte] of flips) b[at % b.length] = byte;
        const r = verdict(b.subarray(0, cut % (b.length + 1)));
        if (r.kind === 'ok' && b[0] === 0x50) expect(r.length).toBeLessThanOrEqual(107);
      }),
      { numRuns: 5000 },
    );
  });
});
