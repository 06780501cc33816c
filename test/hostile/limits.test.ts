// Limits are on by default and each is a setting: connections per address and in total
// (SERVER_FULL), slow HTTP heads (slowloris), idle TCP peers, slow readers, and shutdown.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode } from '../../shared/protocol/codec.js';
import { startServer, sleep, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';

describe('with tight limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      workers: 2,
      args: [
        '--max-connections-per-address', '4', '--http-headers-timeout-ms', '1000', '--idle-timeout-ms', '1500',
        '--max-outbound-bytes', '65536', '--max-msg-rate', '20000', '--rate-limit-close-after', '1000000',
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses connections past the per-address limit with SERVER_FULL, on TCP and WebSocket', async () => {
    const held: RawTcp[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`h${i}`, { room: 'full-house' }));
      await c.next((m) => m.t === 'welcome');
      held.push(c);
    }
    const extra = await RawTcp.connect(server.port);
    extra.send(hello('extra'));
    expect(await extra.next((m) => m.t === 'error')).toMatchObject({ code: 'SERVER_FULL', fatal: true });
    await extra.waitClosed();

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    const got = new Promise<any>((resolve) => ws.on('message', (d: Buffer) => resolve(decode(d))));
    expect(await got).toMatchObject({ code: 'SERVER_FULL', fatal: true });

    // A seat frees when a connection closes: the limit counts live connections only.
    held.pop()!.close();
    await sleep(400);
    const again = await RawTcp.connect(server.port);
    again.send(hello('again'));
    await again.next((m) => m.t === 'welcome');
    again.close();
    for (const c of held) c.close();
    ws.terminate();
    await sleep(300);
  });

  it('closes an HTTP request whose head never completes (slowloris)', async () => {
    const t0 = Date.now();
    const sock = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    // Trickling fast keeps unread bytes at the server when it gives up: a close then resets the
    // connection, which loses an answer not yet delivered.
    const keepTrickling = setInterval(() => sock.write('X-Slow: 1\r\n'), 10);
    const out = await new Promise<string>((resolve) => {
      let acc = '';
      sock.on('data', (d) => (acc += d));
      sock.on('close', () => resolve(acc));
      sock.on('error', () => {});
    });
    clearInterval(keepTrickling);
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(6000);
    // The 408 itself must arrive, not just a closed connection, even while the client keeps trickling.
    expect(out).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a TCP player that sends nothing for the idle timeout, and it can resume', async () => {
    const c = await RawTcp.connect(server.port);
    c.send(hello('idler', { room: 'idle' }));
    const w = await c.next((m) => m.t === 'welcome');
    const t0 = Date.now();
    await c.waitClosed(5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    const back = await RawTcp.connect(server.port);
    back.send(hello('idler', { token: w.token }));
    expect(await back.next((m) => m.t === 'welcome')).toMatchObject({ id: w.id, resumed: true });
    back.close();
  });

  it('cuts off a reader that stops reading instead of buffering for it without bound', async () => {
    const slow = await RawTcp.connect(server.port);
    slow.send(hello('slow', { room: 'firehose' }));
    await slow.next((m) => m.t === 'welcome');
    slow.sock.pause();
    const spam = await RawTcp.connect(server.port);
    spam.send(hello('spam', { room: 'firehose' }));
    await spam.next((m) => m.t === 'welcome');
    const line = 'x'.repeat(280);
    // About 16 MB of chat toward the slow reader, far past any socket buffer and the 64 KiB limit.
    const start = Date.now();
    let sent = 0;
    while (Date.now() - start < 8000 && sent < 60_000) {
      for (let i = 0; i < 500; i++) spam.send({ t: 'chat', text: line });
      sent += 500;
      await sleep(5);
    }
    slow.sock.resume();
    await slow.waitClosed(10_000);
    expect(slow.closed).toBe(true);
    // The sender is unharmed.
    spam.messages.length = 0;
    spam.send({ t: 'ping', id: 1 });
    expect((await spam.next((m) => m.t === 'pong', 10_000)).id).toBe(1);
    spam.close();
  }, 40_000);
});

it('turns away a hello that arrives once shutdown has begun with SHUTTING_DOWN', async () => {
  const server = await startServer({ workers: 1 });
  const c = await RawTcp.connect(server.port);
  const stopped = server.stop();
  await sleep(100);
  c.send(hello('too-late'));
  const m = await c.next((x) => x.t === 'error' || x.t === 'bye', 5000).catch(() => null);
  // Either the primary (still classifying) or the worker answers; both say SHUTTING_DOWN.
  expect(m).toMatchObject({ t: 'error', code: 'SHUTTING_DOWN', fatal: true });
  expect(await stopped).toBe(0);
});
