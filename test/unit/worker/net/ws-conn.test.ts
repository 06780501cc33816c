// WsConn writes whole WebSocket frames it built itself straight to the socket (a broadcast's
// frame built once for every player). These run a real ws client, an independent frame parser,
// against a WsConn in this process: the frames must be valid with and without permessage-deflate
// negotiated, at every length-encoding boundary, and keep their order among ws's own frames.
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeFramed, frame } from '../../../../shared/protocol/framing.js';
import { decode } from '../../../../shared/protocol/codec.js';
import { Outbound } from '../../../../server/worker/rooms/outbound.js';
import { WsConn } from '../../../../server/worker/net/ws-conn.js';

interface Pair {
  conn: WsConn;
  client: WebSocket;
  /** What the client saw, in order: binary messages, pings, and the close. */
  events: Array<{ kind: 'message'; data: Buffer; binary: boolean } | { kind: 'ping' } | { kind: 'close'; code: number } | { kind: 'error'; message: string }>;
  close(): Promise<void>;
}

const open: Pair[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** A WsConn on the server side of a real upgrade; deflate: offer and accept permessage-deflate. */
async function pair(deflate: boolean): Promise<Pair> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: deflate ? { threshold: 0 } : false });
  const connP = new Promise<WsConn>((resolve) => {
    server.on('upgrade', (req, socket: net.Socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => resolve(new WsConn(ws, socket, '127.0.0.1', 1 << 20, 64 << 20)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: deflate, maxPayload: 1 << 20 });
  const events: Pair['events'] = [];
  client.on('message', (data: Buffer, binary: boolean) => events.push({ kind: 'message', data, binary }));
  client.on('ping', () => events.push({ kind: 'ping' }));
  client.on('close', (code: number) => events.push({ kind: 'close', code }));
  client.on('error', (err: Error) => events.push({ kind: 'error', message: err.message }));
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const conn = await connP;
  const p: Pair = {
    conn, client, events,
    close: async () => {
      client.terminate();
      conn.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  open.push(p);
  return p;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Payload lengths on both sides of each header form: 7-bit, 16-bit (126), 64-bit (127).
const SIZES = [1, 125, 126, 127, 65_535, 65_536, 70_000];
const body = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe.each([
  ['no extension negotiated', false],
  ['permessage-deflate negotiated', true],
])('WsConn frames, %s', (_name, deflate) => {
  it('arrive as the exact binary messages, at every header size, shared or not', async () => {
    const p = await pair(deflate);
    expect(p.client.extensions).toBe(deflate ? 'permessage-deflate' : '');
    const sent: Buffer[] = [];
    SIZES.forEach((n, i) => {
      const b = body(n, i);
      sent.push(b);
      // A shared broadcast frame and a single message each.
      p.conn.sendOut(new Outbound(frame(b)));
      sent.push(b);
      p.conn.sendFramed(frame(b));
    });
    await until(() => p.events.length >= sent.length);
    expect(p.events.filter((e) => e.kind !== 'message')).toEqual([]);
    expect(p.events.map((e) => (e.kind === 'message' ? e.binary : null))).toEqual(sent.map(() => true));
    expect(p.events.map((e) => (e.kind === 'message' ? e.data.equals(sent[p.events.indexOf(e)]!) : false))).toEqual(sent.map(() => true));
  });
});

describe('WsConn order', () => {
  it('keeps our frames and ws control frames in the order written, down to the close', async () => {
    const p = await pair(false);
    const a = new Outbound(encodeFramed({ t: 'state', tick: 1 }));
    a.wsFrame(); // built before use, as a broadcast's would be by its first WebSocket player
    p.conn.sendOut(a);
    p.conn.send({ t: 'pong', id: 7, tick: 1 });
    (p.conn as unknown as { ws: WebSocket }).ws.ping();
    p.conn.sendOut(new Outbound(encodeFramed({ t: 'state', tick: 2 })));
    p.conn.error('SHUTTING_DOWN', 'last words');
    await until(() => p.events.some((e) => e.kind === 'close'), 15_000);
    const seen = p.events.map((e) => {
      if (e.kind !== 'message') return e.kind;
      const m = decode(e.data) as { t: string; tick?: number; code?: string };
      return m.t === 'error' ? `error ${m.code}` : `${m.t} ${m.tick}`;
    });
    expect(seen).toEqual(['state 1', 'pong 1', 'ping', 'state 2', 'error SHUTTING_DOWN', 'close']);
  });

  it('writes each message with one socket write, a shared frame built once', async () => {
    const p = await pair(false);
    const sock = (p.conn as unknown as { socket: net.Socket }).socket;
    const writes: Buffer[] = [];
    const orig = sock.write.bind(sock);
    sock.write = ((chunk: Buffer, ...rest: unknown[]) => {
      writes.push(chunk);
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
    const out = new Outbound(encodeFramed({ t: 'state', tick: 3 }));
    p.conn.sendOut(out);
    p.conn.sendOut(out);
    expect(writes.length).toBe(2);
    expect(writes[0]).toBe(writes[1]);
    expect(writes[0]![0]).toBe(0x82);
  });
});
