// The primary tells TCP, WebSocket and HTTP apart by the first bytes and routes each right even
// when those bytes arrive one at a time.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encode, decode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { startServer, until, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

async function roomWorker(id: string): Promise<number> {
  const rooms: Array<{ id: string; worker: number }> = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  return rooms.find((r) => r.id === id)!.worker;
}

it('classifies and routes a TCP hello sent one byte at a time, then plays on the same socket', async () => {
  // Two rooms first, so they sit on different workers; then trickle into each.
  for (const room of ['trickle-a', 'trickle-b']) {
    const c = await RawTcp.connect(server.port);
    c.send(hello('seed', { room }));
    await c.next((m) => m.t === 'welcome');
  }
  expect(await roomWorker('trickle-a')).not.toBe(await roomWorker('trickle-b'));
  for (const room of ['trickle-a', 'trickle-b']) {
    const c = await RawTcp.connect(server.port);
    const bytes = frame(encode(hello('slow', { room })));
    // Pipeline a ping right behind the hello, also byte by byte: nothing may be lost at hand-off.
    const ping = frame(encode({ t: 'ping', id: 7 }));
    await c.trickle(Buffer.concat([bytes, ping]), 3);
    const w = await c.next((m) => m.t === 'welcome');
    expect(w.room).toBe(room);
    expect((await c.next((m) => m.t === 'pong')).id).toBe(7);
    const full = await c.next((m) => m.t === 'state' && m.full);
    expect(full.players.map((p: any[]) => p[0])).toContain(w.id);
    c.close();
  }
});

it('classifies a WebSocket upgrade sent one byte at a time and routes it by its query', async () => {
  const room = 'trickle-b';
  const sock = net.connect({ host: '127.0.0.1', port: server.port });
  await new Promise((r) => sock.once('connect', r));
  const key = Buffer.from('0123456789abcdef').toString('base64');
  const req =
    `GET /ws?room=${room} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  for (const ch of Buffer.from(req)) {
    sock.write(Buffer.from([ch]));
    await new Promise((r) => setTimeout(r, 1));
  }
  const head = await new Promise<string>((resolve) => {
    let acc = '';
    const on = (d: Buffer) => {
      acc += d.toString('latin1');
      if (acc.includes('\r\n\r\n')) {
        sock.off('data', on);
        resolve(acc);
      }
    };
    sock.on('data', on);
  });
  expect(head.startsWith('HTTP/1.1 101')).toBe(true);
  sock.destroy();

  // And a real WebSocket client routed by query lands in the named room.
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?room=${room}`);
  await new Promise((r) => ws.once('open', r));
  const welcome = new Promise<any>((resolve) => ws.on('message', (d: Buffer) => {
    const m = decode(d) as any;
    if (m.t === 'welcome') resolve(m);
  }));
  ws.send(encode(hello('wsq', { room })));
  expect((await welcome).room).toBe(room);
  ws.close();
});

it('classifies an HTTP request sent one byte at a time', async () => {
  const sock = net.connect({ host: '127.0.0.1', port: server.port });
  await new Promise((r) => sock.once('connect', r));
  for (const ch of Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) {
    sock.write(Buffer.from([ch]));
    await new Promise((r) => setTimeout(r, 1));
  }
  const body = await new Promise<string>((resolve) => {
    let acc = '';
    sock.on('data', (d: Buffer) => (acc += d.toString()));
    sock.on('close', () => resolve(acc));
  });
  expect(body).toMatch(/^HTTP\/1\.1 200/);
  expect(body).toContain('"status":"ok"');
});

it('relays a WebSocket player without a routing query to the worker that runs its room', async () => {
  // 'filler' is the fullest room with free seats, so a connection with no routing hint is sent to
  // its worker; the hello then names 'no-query', which lives on the other worker.
  const filler = [];
  for (let i = 0; i < 10; i++) {
    const c = await RawTcp.connect(server.port);
    c.send(hello(`f${i}`, { room: 'filler' }));
    await c.next((m) => m.t === 'welcome');
    filler.push(c);
  }
  const owner = server.client({ transport: 'tcp', name: 'owner', room: 'no-query' });
  const ow = await owner.connect();
  expect(await roomWorker('filler')).not.toBe(await roomWorker('no-query'));
  const relayedBefore = await relayed();

  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((r) => ws.once('open', r));
  const msgs: any[] = [];
  ws.on('message', (d: Buffer) => msgs.push(decode(d)));
  const seen = async (pred: (m: any) => boolean) => {
    const deadline = Date.now() + 5000;
    while (!msgs.some(pred)) {
      if (Date.now() > deadline) throw new Error(`not seen; got ${msgs.map((m) => String(m.t)).join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return msgs.find(pred);
  };
  ws.send(encode(hello('wanderer', { room: 'no-query' })));
  const w = await seen((m) => m.t === 'welcome');
  expect(w.room).toBe('no-query');
  expect((await seen((m) => m.t === 'state' && m.full)).players.map((p: any[]) => p[0])).toContain(ow.id);
  expect(await relayed()).toBe(relayedBefore + 1);
  // The relayed player plays: ping, chat both ways, moves seen by the owner.
  ws.send(encode({ t: 'ping', id: 99 }));
  await seen((m) => m.t === 'pong' && m.id === 99);
  owner.chat('to the wanderer');
  expect((await seen((m) => m.t === 'chat')).text).toBe('to the wanderer');
  const heard = owner.next('chat', (m) => m.from === w.id);
  ws.send(encode({ t: 'chat', text: 'from afar' }));
  expect((await heard).text).toBe('from afar');
  await until(() => owner.players.has(w.id), 5000, 'owner sees the wanderer');
  const x0 = owner.players.get(w.id)!.x;
  ws.send(encode({ t: 'input', seq: 1, dx: x0 < 500 ? 1 : -1, dy: 0 }));
  await until(() => Math.abs(owner.players.get(w.id)!.x - x0) >= 20, 5000, 'move seen');
  ws.send(encode({ t: 'leave' }));
  expect((await seen((m) => m.t === 'bye')).reason).toBe('leave');
  await until(() => !owner.players.has(w.id), 5000, 'gone from the room');
  ws.close();
  owner.close();
  for (const c of filler) c.close();
});

async function relayed(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const m = /^shoal_relayed_connections_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

it('takes the /ws query room and token as defaults for what the hello leaves out', async () => {
  const open = async (query: string) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`);
    await new Promise((r) => ws.once('open', r));
    const msgs: any[] = [];
    ws.on('message', (d: Buffer) => msgs.push(decode(d)));
    const welcome = async () => {
      for (let i = 0; i < 250 && !msgs.some((m) => m.t === 'welcome' || m.t === 'error'); i++) await new Promise((r) => setTimeout(r, 20));
      return msgs.find((m) => m.t === 'welcome' || m.t === 'error');
    };
    return { ws, welcome };
  };
  const a = await open('?room=query-room');
  a.ws.send(encode(hello('q')));
  const wa = await a.welcome();
  expect(wa).toMatchObject({ t: 'welcome', room: 'query-room', resumed: false });
  a.ws.terminate();
  const b = await open(`?token=${encodeURIComponent(wa.token)}`);
  b.ws.send(encode(hello('q')));
  expect(await b.welcome()).toMatchObject({ t: 'welcome', id: wa.id, room: 'query-room', resumed: true });
  b.ws.close();
});
