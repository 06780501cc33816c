// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a trusted load balancer puts
// before a client's first byte: who the client really is. Parsed from the first bytes only, in one
// pass, with hard bounds (107 bytes for v1, 16 + 65535 for v2), so no input can make it buffer
// more or do more. Addresses come out as Node prints them (1.2.3.4, ::1).
import net from 'node:net';

export type ProxyHeader =
  /** Not enough bytes yet to decide. */
  | { kind: 'more' }
  /** Not a well-formed PROXY header: the connection is closed with this reason. */
  | { kind: 'bad'; reason: string }
  /**
   * A complete header of `length` bytes. `source` is the client's address; absent when the header
   * names none (v1 UNKNOWN, v2 LOCAL, UNSPEC or UNIX): the connection is then the proxy's own.
   */
  | { kind: 'ok'; length: number; source?: string; port?: number };

export const V1_MAX = 107;
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_HEAD = 16;
const PORT = /^(0|[1-9]\d{0,4})$/;

/**
 * Could these bytes begin a PROXY header? 'yes' once a whole signature is there, 'maybe' while
 * they are a strict prefix of one, 'no' otherwise.
 */
export function proxySignature(buf: Buffer): 'yes' | 'maybe' | 'no' {
  for (const sig of [V1_PREFIX, V2_SIGNATURE]) {
    const n = Math.min(buf.length, sig.length);
    if (buf.compare(sig, 0, n, 0, n) !== 0) continue;
    return n === sig.length ? 'yes' : 'maybe';
  }
  return 'no';
}

export function parseProxyHeader(buf: Buffer): ProxyHeader {
  switch (proxySignature(buf)) {
    case 'maybe':
      return { kind: 'more' };
    case 'no':
      return { kind: 'bad', reason: 'no PROXY header' };
  }
  return buf[0] === 0x50 ? parseV1(buf) : parseV2(buf);
}

function parseV1(buf: Buffer): ProxyHeader {
  const end = buf.indexOf('\r\n', 0, 'latin1');
  if (end < 0) return buf.length >= V1_MAX ? { kind: 'bad', reason: 'PROXY v1 line longer than 107 bytes' } : checkPrintable(buf) ?? { kind: 'more' };
  if (end + 2 > V1_MAX) return { kind: 'bad', reason: 'PROXY v1 line longer than 107 bytes' };
  const bad = checkPrintable(buf.subarray(0, end));
  if (bad) return bad;
  const length = end + 2;
  const parts = buf.toString('latin1', 0, end).split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { kind: 'ok', length };
  if (parts.length !== 6) return { kind: 'bad', reason: 'PROXY v1 line needs: PROXY TCP4|TCP6 src dst sport dport' };
  const [, , src, dst, sport, dport] = parts as [string, string, string, string, string, string];
  const family = proto === 'TCP4' ? 4 : proto === 'TCP6' ? 6 : 0;
  if (family === 0) return { kind: 'bad', reason: `PROXY v1 protocol ${JSON.stringify(proto)} is not TCP4, TCP6 or UNKNOWN` };
  if (net.isIP(src) !== family || net.isIP(dst) !== family) return { kind: 'bad', reason: `PROXY v1 addresses are not ${proto}` };
  if (!PORT.test(sport) || !PORT.test(dport) || Number(sport) > 65535 || Number(dport) > 65535) return { kind: 'bad', reason: 'PROXY v1 port is not 0..65535' };
  return { kind: 'ok', length, source: family === 6 ? canonicalV6(src) : src, port: Number(sport) };
}

function checkPrintable(b: Buffer): ProxyHeader | null {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    // A lone CR can only be the start of the CRLF that has not arrived yet.
    if (c === 0x0d && i === b.length - 1) continue;
    if (c < 0x20 || c > 0x7e) return { kind: 'bad', reason: 'PROXY v1 line holds a byte that is not printable ASCII' };
  }
  return null;
}

function parseV2(buf: Buffer): ProxyHeader {
  if (buf.length < V2_HEAD) return { kind: 'more' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { kind: 'bad', reason: `PROXY v2 version ${verCmd >> 4} is not 2` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { kind: 'bad', reason: `PROXY v2 command ${cmd} is not LOCAL or PROXY` };
  const fam = buf[13]! >> 4;
  const proto = buf[13]! & 0x0f;
  if (fam > 3 || proto > 2) return { kind: 'bad', reason: 'PROXY v2 address family or protocol unknown' };
  const len = buf.readUInt16BE(14);
  const need = fam === 1 ? 12 : fam === 2 ? 36 : fam === 3 ? 216 : 0;
  if (len < need) return { kind: 'bad', reason: `PROXY v2 address block of ${len} bytes is too short for its family` };
  const length = V2_HEAD + len;
  if (buf.length < length) return { kind: 'more' };
  // LOCAL: the proxy's own connection (a health check); its address block, if any, means nothing.
  // TLVs after the address block carry nothing Shoal uses and are skipped.
  if (cmd === 0 || fam === 0 || fam === 3) return { kind: 'ok', length };
  if (fam === 1) {
    const a = buf.subarray(V2_HEAD, V2_HEAD + 4);
    return { kind: 'ok', length, source: `${a[0]}.${a[1]}.${a[2]}.${a[3]}`, port: buf.readUInt16BE(V2_HEAD + 8) };
  }
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(V2_HEAD + i * 2).toString(16));
  return { kind: 'ok', length, source: canonicalV6(groups.join(':')), port: buf.readUInt16BE(V2_HEAD + 32) };
}

/** One spelling per IPv6 address (compressed, lower case), as a socket's remoteAddress has it. */
function canonicalV6(a: string): string {
  const list = new net.SocketAddress({ address: a, family: 'ipv6' });
  return list.address;
}
