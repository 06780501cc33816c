// Tells a new connection's protocol from its first bytes, and what to route it by.
//
// A TCP game frame starts with a 4-byte big-endian length no larger than maxFrame, so its first
// byte is 0 for any sane limit; an HTTP request starts with an upper-case method name. TCP
// connections route by their hello frame (room or token); WebSocket ones by the /ws query.
import { FRAME_HEADER_BYTES, PROTOCOL_LIMITS, ROOM_ID_PATTERN } from '../../../shared/protocol/limits.js';
import { scanMapStrings } from '../../../shared/protocol/decoder.js';

export type Classified =
  | { kind: 'more' }
  | { kind: 'tcp'; room?: string; token?: string }
  | { kind: 'http'; ws: boolean; room?: string; token?: string };

const ROUTE_KEYS = ['t', 'room', 'token'] as const;

const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;

export function classify(buf: Buffer, maxFrame: number, maxHttpHead: number): Classified {
  if (buf.length === 0) return { kind: 'more' };
  if (isUpper(buf[0]!)) return classifyHttp(buf, maxHttpHead);
  return classifyTcp(buf, maxFrame);
}

function classifyTcp(buf: Buffer, maxFrame: number): Classified {
  if (buf.length < FRAME_HEADER_BYTES) return { kind: 'more' };
  const len = buf.readUInt32BE(0);
  // A bad length is the worker's to report (BAD_FRAME / FRAME_TOO_LARGE); route anywhere.
  if (len === 0 || len > maxFrame) return { kind: 'tcp' };
  if (buf.length < FRAME_HEADER_BYTES + len) return { kind: 'more' };
  // The primary only routes: it reads hello's t, room and token and builds nothing else, so no
  // frame can make it do more than one linear pass. The worker decodes and validates the frame
  // (and answers BAD_MESSAGE); a malformed one here just routes anywhere.
  const f = scanMapStrings(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len), ROUTE_KEYS);
  if (!f || f.t !== 'hello') return { kind: 'tcp' };
  return {
    kind: 'tcp',
    room: f.room !== undefined && ROOM_ID_PATTERN.test(f.room) ? f.room : undefined,
    token: f.token !== undefined && f.token.length > 0 && f.token.length <= PROTOCOL_LIMITS.tokenMax ? f.token : undefined,
  };
}

function classifyHttp(buf: Buffer, maxHttpHead: number): Classified {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return buf.length >= maxHttpHead ? { kind: 'http', ws: false } : { kind: 'more' };
  const line = buf.toString('latin1', 0, nl).trimEnd();
  const m = /^GET (\S+) HTTP\/1\.[01]$/.exec(line);
  if (!m) return { kind: 'http', ws: false };
  let url: URL;
  try {
    url = new URL(m[1]!, 'http://x');
  } catch {
    return { kind: 'http', ws: false };
  }
  if (url.pathname !== '/ws') return { kind: 'http', ws: false };
  // Only well-formed values route; anything else is left for hello's validation to refuse.
  const room = url.searchParams.get('room');
  const token = url.searchParams.get('token');
  return {
    kind: 'http',
    ws: true,
    room: room && ROOM_ID_PATTERN.test(room) ? room : undefined,
    token: token && token.length <= PROTOCOL_LIMITS.tokenMax ? token : undefined,
  };
}
