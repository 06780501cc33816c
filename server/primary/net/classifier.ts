// Tells a new connection's protocol from its first bytes, and what to route it by.
//
// A TCP game frame starts with a 4-byte big-endian length no larger than maxFrame, so its first
// byte is 0 for any sane limit; an HTTP request starts with an upper-case method name. TCP
// connections route by their hello frame (room, token, game); WebSocket ones by the /ws query.
import { FRAME_HEADER_BYTES } from '../../../shared/protocol/limits.js';
import { scanMapStrings } from '../../../shared/protocol/decoder.js';
import { routeGame, routeRoom, routeToken, wsQuery } from '../../net/ws-query.js';

export type Classified =
  | { kind: 'more' }
  /** `hello`: the first frame was a hello, read whole (its room, token and game are as it says). */
  | { kind: 'tcp'; hello?: true; room?: string; token?: string; game?: string }
  | { kind: 'http'; ws: boolean; room?: string; token?: string; game?: string };

const ROUTE_KEYS = ['t', 'room', 'token', 'game'] as const;

/** The one first-byte test: an HTTP request starts with an upper-case method name, a TCP frame with 0. */
export function looksLikeHttp(buf: Buffer): boolean {
  return buf.length > 0 && buf[0]! >= 0x41 && buf[0]! <= 0x5a;
}

export function classify(buf: Buffer, maxFrame: number, maxHttpHead: number): Classified {
  if (buf.length === 0) return { kind: 'more' };
  if (looksLikeHttp(buf)) return classifyHttp(buf, maxHttpHead);
  return classifyTcp(buf, maxFrame);
}

/** A complete HTTP/1.x request line's method and target, or null. */
function requestLine(buf: Buffer): { method: string; url: URL } | null {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return null;
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(buf.toString('latin1', 0, nl).trimEnd());
  if (!m) return null;
  try {
    return { method: m[1]!, url: new URL(m[2]!, 'http://x') };
  } catch {
    return null;
  }
}

/** The path an HTTP request's head asks for; `/` when it cannot be read (answered like any path). */
export function requestPath(head: Buffer): string {
  return requestLine(head)?.url.pathname ?? '/';
}

function classifyTcp(buf: Buffer, maxFrame: number): Classified {
  if (buf.length < FRAME_HEADER_BYTES) return { kind: 'more' };
  const len = buf.readUInt32BE(0);
  // A bad length is the worker's to report (BAD_FRAME / FRAME_TOO_LARGE); route anywhere.
  if (len === 0 || len > maxFrame) return { kind: 'tcp' };
  if (buf.length < FRAME_HEADER_BYTES + len) return { kind: 'more' };
  // The primary only routes: it reads hello's t, room, token and game and builds nothing else, so no
  // frame can make it do more than one linear pass. The worker decodes and validates the frame
  // (and answers BAD_MESSAGE); a malformed one here just routes anywhere.
  const f = scanMapStrings(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len), ROUTE_KEYS);
  if (!f || f.t !== 'hello') return { kind: 'tcp' };
  return { kind: 'tcp', hello: true, room: routeRoom(f.room), token: routeToken(f.token), game: routeGame(f.game) };
}

function classifyHttp(buf: Buffer, maxHttpHead: number): Classified {
  if (buf.indexOf(0x0a) < 0) return buf.length >= maxHttpHead ? { kind: 'http', ws: false } : { kind: 'more' };
  const r = requestLine(buf);
  if (!r || r.method !== 'GET' || r.url.pathname !== '/ws') return { kind: 'http', ws: false };
  // Only well-formed values route; anything else is left for hello's validation to refuse.
  const q = wsQuery(r.url.searchParams);
  return { kind: 'http', ws: true, room: q.room, token: q.token, game: q.game };
}
