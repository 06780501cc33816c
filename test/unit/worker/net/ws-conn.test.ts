// WsConn is Shoal's own server side of RFC 6455: ws-upgrade.ts answers the handshake and WsConn
// reads client frames and writes whole frames it built itself (a broadcast's frame built once for
// every player). These run a real ws client, an independent implementation, against a WsConn in
// this process over a real socket.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeFramed, frame } from '../../../../shared/protocol/framing.js';
import { decode } from '../../../../shared/protocol/codec.js';
import { Outbound } from '../../../../server/worker/rooms/outbound.js';
import { WsConn } from '../../../../server/worker/net/ws-conn.js';
import { answerUpgrade } from '../../../../server/worker/net/ws-upgrade.js';

type Event =
  | { kind: 'message'; data: Buffer; binary: boolean }
  | { kind: 'ping' }
  | { kind: 'pong'; data: string }
  | { kind: 'close'; code: number }
  | { kind: 'error'; message: string };

interface Pair {
  conn: WsConn;
  client: WebSocket;
  /** What the client saw, in order. */
  events: Event[];
  /** What the server's onMessage got. */
  got: Buffer[];
  closed: boolean;
  close(): Promise<void>;
}

const open: Pair[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** A WsConn on the server side of a real upgrade; the client offers deflate and protocols as given. */
async function pair(opts: { deflate?: boolean; protocols?: string[] } = {}): Promise<Pair> {
  const server = http.createServer();
  const connP = new Promise<WsConn>((resolve) => {
    server.on('upgrade', (req, socket: net.Socket, head: Buffer) => {
      if (!answerUpgrade(req, socket)) return;
      const conn = new WsConn(socket, '127.0.0.1', 1 << 20, 64 << 20);
      if (head.length) conn.read(head);
      resolve(conn);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, opts.protocols ?? [], { perMessageDeflate: opts.deflate ?? false, maxPayload: 1 << 20 });
  const events: Event[] = [];
  client.on('message', (data: Buffer, binary: boolean) => events.push({ kind: 'message', data, binary }));
  client.on('ping', () => events.push({ kind: 'ping' }));
  client.on('pong', (d: Buffer) => events.push({ kind: 'pong', data: d.toString() }));
  client.on('close', (code: number) => events.push({ kind: 'close', code }));
  client.on('error', (err: Error) => events.push({ kind: 'error', message: err.message }));
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const conn = await connP;
  const p: Pair = {
    conn, client, events, got: [], closed: false,
    close: async () => {
      client.terminate();
      conn.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  conn.onMessage = (b) => p.got.push(Buffer.from(b));
  conn.onClose = () => (p.closed = true);
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

describe('WsConn frames', () => {
  it('arrive as the exact binary messages, at every header size, shared or not; deflate offered is not taken', async () => {
    const p = await pair({ deflate: true });
    expect(p.client.extensions).toBe('');
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
    expect(p.events.map((e, i) => (e.kind === 'message' ? e.data.equals(sent[i]!) : false))).toEqual(sent.map(() => true));
  });

  it('reads the client masked messages at every header size, in order', async () => {
    const p = await pair();
    const sent = SIZES.map((n, i) => body(n, i + 50));
    for (const b of sent) p.client.send(b);
    await until(() => p.got.length >= sent.length);
    expect(p.got.map((b, i) => b.equals(sent[i]!))).toEqual(sent.map(() => true));
  });

  it('answers a ping with a pong of its payload', async () => {
    const p = await pair();
    p.client.ping('are you there');
    await until(() => p.events.some((e) => e.kind === 'pong'));
    expect(p.events).toEqual([{ kind: 'pong', data: 'are you there' }]);
  });

  it('echoes the code of the client close and then closes', async () => {
    const p = await pair();
    p.client.close(4321, 'bye now');
    await until(() => p.closed && p.events.some((e) => e.kind === 'close'));
    expect(p.events).toEqual([{ kind: 'close', code: 4321 }]);
  });

  it('closes a text message with 1003', async () => {
    const p = await pair();
    p.client.send('text');
    await until(() => p.closed && p.events.some((e) => e.kind === 'close'));
    expect(p.events).toEqual([{ kind: 'close', code: 1003 }]);
    expect(p.got).toEqual([]);
  });

  it('takes the first subprotocol a client offers', async () => {
    const p = await pair({ protocols: ['shoal.v1', 'other'] });
    expect(p.client.protocol).toBe('shoal.v1');
  });
});

describe('WsConn order', () => {
  it('keeps our frames and our control frames in the order written, down to the close', async () => {
    const p = await pair();
    const a = new Outbound(encodeFramed({ t: 'state', tick: 1 }));
    a.wsFrame(); // built before use, as a broadcast's would be by its first WebSocket player
    p.conn.sendOut(a);
    p.conn.send({ t: 'pong', id: 7, tick: 1 });
    // Quiet for over a third of the idle time: pinged.
    p.conn.checkIdle(p.conn.lastIn + 40_000, 90_000, 60_000);
    p.conn.sendOut(new Outbound(encodeFramed({ t: 'state', tick: 2 })));
    p.conn.error('SHUTTING_DOWN', 'last words');
    await until(() => p.events.some((e) => e.kind === 'close'), 15_000);
    const seen = p.events.map((e) => {
      if (e.kind === 'close') return `close ${e.code}`;
      if (e.kind !== 'message') return e.kind;
      const m = decode(e.data) as { t: string; tick?: number; code?: string };
      return m.t === 'error' ? `error ${m.code}` : `${m.t} ${m.tick}`;
    });
    expect(seen).toEqual(['state 1', 'pong 1', 'ping', 'state 2', 'error SHUTTING_DOWN', 'close 1000']);
    await until(() => p.closed);
  });

  it('drops a peer silent past the idle time', async () => {
    const p = await pair();
    p.conn.checkIdle(p.conn.lastIn + 100_000, 90_000, 60_000);
    await until(() => p.closed && p.events.some((e) => e.kind === 'close'));
    expect(p.events).toEqual([{ kind: 'close', code: 1006 }]);
  });

  it('writes each message with one socket write, a shared frame built once', async () => {
    const p = await pair();
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

/** A raw exchange with a server whose upgrades go to answerUpgrade + WsConn; returns what came back. */
async function raw(request: string | Buffer, got: Buffer[] = []): Promise<string> {
  const server = http.createServer();
  server.on('upgrade', (req, socket: net.Socket, head: Buffer) => {
    if (!answerUpgrade(req, socket)) return;
    const conn = new WsConn(socket, '127.0.0.1', 1 << 20, 64 << 20);
    conn.onMessage = (b) => {
      got.push(Buffer.from(b));
      conn.close();
    };
    if (head.length) conn.read(head);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(request));
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => {
        parts.push(c);
        // Our close came: the client is done (a real one would answer it).
        if (Buffer.concat(parts).subarray(-4).equals(Buffer.from([0x88, 0x02, 0x03, 0xe8]))) s.destroy();
      });
      s.on('error', reject);
      s.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
      setTimeout(() => s.destroy(), 3000);
    });
  } finally {
    server.close();
  }
}

const head = (lines: string[]) => `GET /ws HTTP/1.1\r\nHost: x\r\n${lines.map((l) => l + '\r\n').join('')}\r\n`;
const UPGRADE = ['Upgrade: websocket', 'Connection: Upgrade'];

describe('WebSocket upgrade answers', () => {
  it('accepts with the RFC 6455 accept key, and reads a frame sent behind the request in the same packet', async () => {
    // The key and accept value are the example of RFC 6455 section 1.3.
    const req = head([...UPGRADE, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']);
    // A masked binary frame [1, 2, 3] with mask 0x0a0b0c0d.
    const frame = Buffer.from([0x82, 0x83, 0x0a, 0x0b, 0x0c, 0x0d, 1 ^ 0x0a, 2 ^ 0x0b, 3 ^ 0x0c]);
    const got: Buffer[] = [];
    const answer = await raw(Buffer.concat([Buffer.from(req), frame]), got);
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(answer).toContain('\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    expect(got.map((b) => [...b])).toEqual([[1, 2, 3]]);
    // Then our close (1000) after the handshake.
    expect(answer.endsWith('\x88\x02\x03\xe8')).toBe(true);
  });

  it.each([
    ['an unknown version, naming the ones it speaks', [...UPGRADE, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 12'], /^HTTP\/1\.1 400 [^]*Sec-WebSocket-Version: 13, 8\r\n/],
    ['no version', [...UPGRADE, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='], /^HTTP\/1\.1 400 /],
    ['a key that is not 16 bytes of base64', [...UPGRADE, 'Sec-WebSocket-Key: c2hvcnQ=', 'Sec-WebSocket-Version: 13'], /^HTTP\/1\.1 400 /],
    ['an Upgrade other than websocket', ['Upgrade: h2c', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'], /^HTTP\/1\.1 400 /],
    ['a bad subprotocol list', [...UPGRADE, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: a, a'], /^HTTP\/1\.1 400 /],
  ])('refuses %s', async (_what, lines, answer) => {
    expect(await raw(head(lines))).toMatch(answer);
  });

  it('refuses a method other than GET with 405', async () => {
    const req = head([...UPGRADE, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']).replace(/^GET/, 'POST');
    expect(await raw(req)).toMatch(/^HTTP\/1\.1 405 /);
  });
});
