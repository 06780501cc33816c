// The primary's first-bytes rules, each now in one place: the HTTP-or-TCP test on the first byte,
// the request path an HTTP head asks for (answered by the primary when no worker can), and the
// cleaning of the values a connection is routed by (shared with the worker's /ws query).
import { describe, expect, it } from 'vitest';
import { classify, looksLikeHttp, requestPath } from '../../../server/primary/net/classifier.js';
import { routeGame, routeRoom, routeToken, wsQuery } from '../../../server/net/ws-query.js';
import { encodeFramed } from '../../../shared/protocol/framing.js';
import { PROTOCOL_LIMITS } from '../../../shared/protocol/limits.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('first bytes', () => {
  it('tells HTTP (an upper-case method) from a TCP frame (a 0 length byte)', () => {
    expect(looksLikeHttp(b('GET / HTTP/1.1\r\n'))).toBe(true);
    expect(looksLikeHttp(b('Z'))).toBe(true);
    expect(looksLikeHttp(b('get / HTTP/1.1'))).toBe(false);
    expect(looksLikeHttp(b('@'))).toBe(false);
    expect(looksLikeHttp(encodeFramed({ t: 'hello' }))).toBe(false);
    expect(looksLikeHttp(Buffer.alloc(0))).toBe(false);
  });

  it('reads the path of a request line, `/` when there is none to read', () => {
    expect(requestPath(b('GET /health?x=1 HTTP/1.1\r\nhost: a\r\n\r\n'))).toBe('/health');
    expect(requestPath(b('HEAD /metrics HTTP/1.0\n'))).toBe('/metrics');
    expect(requestPath(b('GET /health HTTP/2\r\n'))).toBe('/');
    expect(requestPath(b('GET /health'))).toBe('/');
    expect(requestPath(b('GET http://[bad HTTP/1.1\r\n'))).toBe('/');
  });

  it('routes a WebSocket by its /ws query and a TCP hello by its fields, keeping only well-formed values', () => {
    expect(classify(b('GET /ws?room=reef&token=abc HTTP/1.1\r\n'), 65536, 8192)).toEqual({ kind: 'http', ws: true, room: 'reef', token: 'abc' });
    expect(classify(b('GET /ws?room=no%20spaces HTTP/1.1\r\n'), 65536, 8192)).toEqual({ kind: 'http', ws: true, room: undefined, token: undefined });
    expect(classify(b('POST /ws HTTP/1.1\r\n'), 65536, 8192)).toEqual({ kind: 'http', ws: false });
    expect(classify(b('GET /health HTTP/1.1\r\n'), 65536, 8192)).toEqual({ kind: 'http', ws: false });
    expect(classify(b('GET /ws'), 65536, 8192)).toEqual({ kind: 'more' });
    expect(classify(encodeFramed({ t: 'hello', room: 'kelp', token: '' }), 65536, 8192)).toEqual({ kind: 'tcp', hello: true, room: 'kelp', token: undefined });
    // The game a quick-join asks for routes it to a room of that game; a malformed one routes as no game.
    expect(classify(encodeFramed({ t: 'hello', v: 1, name: 'a', game: 'four' }), 65536, 8192)).toMatchObject({ kind: 'tcp', game: 'four' });
    expect(classify(encodeFramed({ t: 'hello', v: 1, name: 'a', game: 'Four!' }), 65536, 8192)).toMatchObject({ kind: 'tcp', game: undefined });
    expect(classify(b('GET /ws?game=four HTTP/1.1\r\n'), 65536, 8192)).toMatchObject({ kind: 'http', ws: true, game: 'four' });
    expect(classify(b(`GET /ws?game=${'x'.repeat(33)} HTTP/1.1\r\n`), 65536, 8192)).toMatchObject({ kind: 'http', ws: true, game: undefined });
  });

  it('cleans routing values one way for the primary and the worker', () => {
    const long = 'x'.repeat(PROTOCOL_LIMITS.tokenMax + 1);
    expect(routeRoom('reef-1')).toBe('reef-1');
    expect(routeRoom('a/b')).toBeUndefined();
    expect(routeRoom('')).toBeUndefined();
    expect(routeToken(long)).toBeUndefined();
    expect(routeToken('')).toBeUndefined();
    expect(routeGame('four-2')).toBe('four-2');
    expect(routeGame('x'.repeat(32))).toBe('x'.repeat(32));
    for (const bad of ['', 'Four', 'a_b', 'x'.repeat(33), null, undefined]) expect(routeGame(bad)).toBeUndefined();
    expect(wsQuery(new URLSearchParams({ room: 'reef', token: 't', auth: 'jwt' }), 8)).toEqual({ room: 'reef', token: 't', auth: 'jwt' });
    expect(wsQuery(new URLSearchParams({ auth: 'too-long-for-eight' }), 8).auth).toBeUndefined();
    // Without an auth limit (the primary routes by room and token only) auth is not read.
    expect(wsQuery(new URLSearchParams({ auth: 'jwt' })).auth).toBeUndefined();
  });
});
