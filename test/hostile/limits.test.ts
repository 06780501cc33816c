// Limits are on by default and each is a setting: connections per address and in total
// (SERVER_FULL), slow HTTP heads (slowloris), idle TCP peers, slow readers (cut at the outbound
// byte limit alone, on TCP and WebSocket), and shutdown.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode } from '../../shared/protocol/codec.js';
import { startServer, sleep, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';

describe('with tight limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      workers: 2,
      args: [
        '--max-connections-per-address', '4', '--http-headers-timeout-ms', '1000', '--idle-timeout-ms', '1500',
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
      sock.on('data', (d: Buffer) => (acc += d.toString()));
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
});

// Here the idle timeout stays at its 90 s default and the slow reader keeps sending, so nothing
// but the outbound limit can close it.
describe('a reader that sends but never reads', () => {
  const LIMIT = 65536;
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      workers: 1,
      args: ['--max-outbound-bytes', String(LIMIT), '--max-msg-rate', '20000', '--rate-limit-close-after', '1000000'],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const transport of ['tcp', 'ws'] as const) {
    it(`is cut off at the outbound byte limit with the bytes it left unread reported (${transport})`, async () => {
      const room = `firehose-${transport}`;
      const slow = transport === 'tcp' ? await RawTcp.connect(server.port) : await RawWs.connect(server.port);
      slow.send(hello(`slow-${transport}`, { room }));
      await slow.next((m) => m.t === 'welcome');
      slow.sock.pause();
      // It keeps talking (a ping every 100 ms), so it is never idle.
      let id = 0;
      const talk = setInterval(() => slow.send({ t: 'ping', id: ++id }), 100);
      const spam = await RawTcp.connect(server.port);
      spam.send(hello(`spam-${transport}`, { room }));
      await spam.next((m) => m.t === 'welcome');
      const cut = server.waitForLog((l) => l.msg === 'slow reader cut off' && l.transport === transport, 30_000);
      const line = 'x'.repeat(280);
      const start = Date.now();
      try {
        // Chat toward the slow reader until it is cut: far past any socket buffer and the limit.
        // (A paused socket does not see the server's reset, so the log says when to stop.)
        const wasCut = () => server.logs.some((x) => x.includes('slow reader cut off') && x.includes(`"transport":"${transport}"`));
        while (!wasCut() && Date.now() - start < 25_000) {
          for (let i = 0; i < 200; i++) spam.send({ t: 'chat', text: line });
          await sleep(5);
          spam.messages.length = 0;
        }
      } finally {
        clearInterval(talk);
      }
      const l = await cut;
      // Cut at the first write that took the buffer past the limit: over it by less than one
      // message (a chat line or a state is well under 4 KiB here).
      expect(l.limit).toBe(LIMIT);
      expect(l.bufferedBytes as number).toBeGreaterThan(LIMIT);
      expect(l.bufferedBytes as number).toBeLessThan(LIMIT + 4096);
      slow.sock.resume();
      await slow.waitClosed(10_000);
      // The sender is unharmed, and the cut is counted.
      spam.send({ t: 'ping', id: 1 });
      expect((await spam.next((m) => m.t === 'pong', 10_000)).id).toBe(1);
      spam.close();
      const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`shoal_slow_reader_cuts_total\\{transport="${transport}"\\} [1-9]`));
    }, 60_000);
  }
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
