// The primary tells TCP, WebSocket and HTTP apart by the first bytes and routes each right even
// when those bytes arrive one at a time.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encode, decode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { startServer, type TestServer } from '../helpers/server.js';
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
    sock.on('data', (d) => (acc += d));
    sock.on('close', () => resolve(acc));
  });
  expect(body).toMatch(/^HTTP\/1\.1 200/);
  expect(body).toContain('"status":"ok"');
});

it('lands a WebSocket player without a routing query in the right room on another worker', async () => {
  // The room lives on one worker; a WebSocket with no query may be handed to either, and must
  // still end up seated in that room (relayed if need be), seeing the others there.
  const owner = await RawTcp.connect(server.port);
  owner.send(hello('owner', { room: 'no-query' }));
  const ow = await owner.next((m) => m.t === 'welcome');
  for (let i = 0; i < 4; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    await new Promise((r) => ws.once('open', r));
    const msgs: any[] = [];
    ws.on('message', (d: Buffer) => msgs.push(decode(d)));
    ws.send(encode(hello(`nq${i}`, { room: 'no-query' })));
    const deadline = Date.now() + 5000;
    while (!msgs.some((m) => m.t === 'state' && m.full) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const w = msgs.find((m) => m.t === 'welcome');
    expect(w.room).toBe('no-query');
    const full = msgs.find((m) => m.t === 'state' && m.full);
    expect(full.players.map((p: any[]) => p[0])).toContain(ow.id);
    // Still playable through whichever path it took.
    ws.send(encode({ t: 'ping', id: 99 }));
    const until = Date.now() + 3000;
    while (!msgs.some((m) => m.t === 'pong' && m.id === 99) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(msgs.some((m) => m.t === 'pong' && m.id === 99)).toBe(true);
    ws.close();
  }
  owner.close();
});
