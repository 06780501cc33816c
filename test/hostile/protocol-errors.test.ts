// Every malformed input gets its protocol error code, and nothing else changes: the connection
// goes on after a non-fatal error, other players are not disturbed, no process dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encode, decode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { startServer, sleep, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';

let server: TestServer;
const WATCH_ROOM = 'bystanders';
let bystander: ReturnType<TestServer['client']>;
let bystanderBroken = false;

beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--room-capacity', '3', '--hello-timeout-ms', '1500'] });
  bystander = server.client({ transport: 'tcp', name: 'bystander', room: WATCH_ROOM, autoResume: false });
  await bystander.connect();
  bystander.on('status', (s) => {
    if (s !== 'joined') bystanderBroken = true;
  });
});
afterAll(async () => {
  await server?.stop();
});

async function joined(name = 'x'): Promise<RawTcp> {
  const c = await RawTcp.connect(server.port);
  c.send(hello(name));
  await c.next((m) => m.t === 'welcome');
  return c;
}

/** After a non-fatal error, the connection still works. */
async function stillWorks(c: RawTcp): Promise<void> {
  const id = Math.floor(Math.random() * 1e6);
  c.send({ t: 'ping', id });
  expect((await c.next((m) => m.t === 'pong' && m.id === id)).id).toBe(id);
}

describe('over TCP', () => {
  it('closes on a frame of length 0 with BAD_FRAME', async () => {
    const c = await joined();
    c.write(Buffer.from([0, 0, 0, 0]));
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'BAD_FRAME', fatal: true });
    await c.waitClosed();
  });

  it('closes on a frame over the limit with FRAME_TOO_LARGE, without waiting for its body', async () => {
    const c = await joined();
    const head = Buffer.alloc(4);
    head.writeUInt32BE(65537);
    c.write(head);
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'FRAME_TOO_LARGE', fatal: true });
    await c.waitClosed();
  });

  it('closes on a first frame over the limit too (before hello)', async () => {
    const c = await RawTcp.connect(server.port);
    c.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'FRAME_TOO_LARGE', fatal: true });
    await c.waitClosed();
  });

  const bad: Array<[string, Uint8Array, string]> = [
    ['bytes that are not MessagePack', Buffer.from([0xc1]), 'BAD_MESSAGE'],
    ['two values in one frame', Buffer.concat([encode({ t: 'ping', id: 1 }), encode({ t: 'ping', id: 2 })]), 'BAD_MESSAGE'],
    ['a truncated map', encode({ t: 'ping', id: 1 }).subarray(0, 5), 'BAD_MESSAGE'],
    ['an array instead of a map', encode(['ping', 1]), 'BAD_MESSAGE'],
    ['a string', encode('hello'), 'BAD_MESSAGE'],
    ['a map without t', encode({ id: 1 }), 'BAD_MESSAGE'],
    ['t of the wrong type', encode({ t: 5 }), 'BAD_MESSAGE'],
    ['an unknown type', encode({ t: 'teleport' }), 'UNKNOWN_TYPE'],
    ['ping with a negative id', encode({ t: 'ping', id: -1 }), 'BAD_MESSAGE'],
    ['ping with a fractional id', encode({ t: 'ping', id: 1.5 }), 'BAD_MESSAGE'],
    ['input out of range', encode({ t: 'input', seq: 1, dx: 2, dy: 0 }), 'BAD_MESSAGE'],
    ['input with NaN', encode({ t: 'input', seq: 1, dx: NaN, dy: 0 }), 'BAD_MESSAGE'],
    ['input with a string', encode({ t: 'input', seq: 1, dx: '1', dy: 0 }), 'BAD_MESSAGE'],
    ['chat too long', encode({ t: 'chat', text: 'x'.repeat(281) }), 'BAD_MESSAGE'],
    ['chat empty', encode({ t: 'chat', text: '' }), 'BAD_MESSAGE'],
    ['chat with a bad scope', encode({ t: 'chat', text: 'hi', scope: 'galaxy' }), 'BAD_MESSAGE'],
    ['a second hello', encode(hello('again')), 'BAD_MESSAGE'],
    ['deep nesting', deepNest(60_000), 'BAD_MESSAGE'],
    ['an array header claiming 4 billion items', Buffer.concat([Buffer.from([0x82, 0xa1, 0x74, 0xa4]), Buffer.from('ping'), Buffer.from([0xa2, 0x69, 0x64, 0xdd, 0xff, 0xff, 0xff, 0xff])]), 'BAD_MESSAGE'],
    ['an extension type', Buffer.from([0x81, 0xa1, 0x74, 0xd4, 0x05, 0x01]), 'BAD_MESSAGE'],
  ];
  it.each(bad)('answers %s with its code and goes on', async (_what, body, code) => {
    const c = await joined();
    c.write(frame(body));
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ code, fatal: false });
    await stillWorks(c);
    c.close();
  });

  it('answers anything before hello with NOT_JOINED', async () => {
    const c = await RawTcp.connect(server.port);
    c.send({ t: 'ping', id: 1 });
    expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'NOT_JOINED', fatal: false });
    c.send(hello('late'));
    await c.next((m) => m.t === 'welcome');
    c.close();
  });

  it('refuses bad hellos and lets the client try again', async () => {
    const c = await RawTcp.connect(server.port);
    for (const h of [
      { t: 'hello', v: 2, name: 'x' },
      { t: 'hello', v: 1, name: '' },
      { t: 'hello', v: 1, name: 'n'.repeat(33) },
      { t: 'hello', v: 1, name: 'bell\u0007' },
      { t: 'hello', v: 1, name: 'x', room: 'bad room!' },
      { t: 'hello', v: 1, name: 'x', room: 'r'.repeat(33) },
    ]) {
      c.send(h);
      expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
    }
    c.send(hello('x'.repeat(32)));
    expect((await c.next((m) => m.t === 'welcome')).t).toBe('welcome');
    c.close();
  });

  it('sends HELLO_TIMEOUT in TCP framing to a client that sends nothing', async () => {
    const c = await RawTcp.connect(server.port);
    const t0 = Date.now();
    expect(await c.next((m) => m.t === 'error', 5000)).toMatchObject({ code: 'HELLO_TIMEOUT', fatal: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    await c.waitClosed();
  });

  it('sends HELLO_TIMEOUT to a client that connected and sent only part of a frame', async () => {
    const c = await RawTcp.connect(server.port);
    c.write(Buffer.from([0, 0]));
    expect(await c.next((m) => m.t === 'error', 5000)).toMatchObject({ code: 'HELLO_TIMEOUT', fatal: true });
    await c.waitClosed();
  });

  it('answers a hello for a full room with ROOM_FULL', async () => {
    const seated = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`s${i}`, { room: 'tiny' }));
      await c.next((m) => m.t === 'welcome');
      seated.push(c);
    }
    const late = await RawTcp.connect(server.port);
    late.send(hello('late', { room: 'tiny' }));
    expect(await late.next((m) => m.t === 'error')).toMatchObject({ code: 'ROOM_FULL', fatal: false });
    // A room with a seat is still open to it.
    late.send(hello('late', { room: 'roomy' }));
    expect((await late.next((m) => m.t === 'welcome')).room).toBe('roomy');
    for (const c of [...seated, late]) c.close();
  });
});

describe('over WebSocket', () => {
  async function ws(): Promise<{ sock: WebSocket; msgs: any[]; closed: Promise<number> }> {
    const sock = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    const msgs: any[] = [];
    sock.on('message', (d: Buffer) => msgs.push(decode(d)));
    const closed = new Promise<number>((r) => sock.on('close', (code) => r(code)));
    await new Promise((r) => sock.once('open', r));
    return { sock, msgs, closed };
  }
  const next = async (msgs: any[], pred: (m: any) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const m = msgs.find(pred);
      if (m) return m;
      await sleep(20);
    }
    throw new Error('no message');
  };

  it('closes a text message with 1003', async () => {
    const { sock, closed } = await ws();
    sock.send('{"t":"hello"}');
    expect(await closed).toBe(1003);
  });

  it('closes a message over the limit with FRAME_TOO_LARGE', async () => {
    const { sock, msgs, closed } = await ws();
    sock.send(encode(hello('w')));
    await next(msgs, (m) => m.t === 'welcome');
    sock.send(Buffer.alloc(70_000, 0x90));
    expect(await next(msgs, (m) => m.t === 'error')).toMatchObject({ code: 'FRAME_TOO_LARGE', fatal: true });
    await closed;
  });

  it('answers bad MessagePack with BAD_MESSAGE and goes on', async () => {
    const { sock, msgs } = await ws();
    sock.send(Buffer.from([0xc1]));
    expect(await next(msgs, (m) => m.t === 'error')).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
    sock.send(encode(hello('after')));
    await next(msgs, (m) => m.t === 'welcome');
    sock.close();
  });
});

it('rate-limits a flood with RATE_LIMITED, then closes a flood that goes on', async () => {
  const c = await joined('flooder');
  // Burst allowance is twice the rate (120); send far more at once.
  for (let i = 0; i < 150; i++) c.send({ t: 'ping', id: i });
  expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'RATE_LIMITED', fatal: false });
  // About the burst (120) was served, plus what refilled while the flood arrived; the rest refused.
  const pongs = c.messages.filter((m) => m.t === 'pong').length;
  expect(pongs).toBeGreaterThanOrEqual(100);
  expect(pongs).toBeLessThan(150);
  // Within the rate, it is served again.
  await sleep(1100);
  c.messages.length = 0;
  await stillWorks(c);
  // A flood that keeps going is cut off.
  for (let i = 0; i < 2000; i++) c.send({ t: 'ping', id: i });
  expect(await c.next((m) => m.t === 'bye', 5000)).toMatchObject({ reason: 'flooding' });
  await c.waitClosed();
});

it('left the bystander playing through all of it, and every process alive', async () => {
  expect(bystanderBroken).toBe(false);
  expect(bystander.status).toBe('joined');
  const rtt = await bystander.ping();
  expect(rtt).toBeGreaterThan(0);
  const h = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json();
  expect(h.workers).toBe(2);
  expect(server.logs.some((l) => l.includes('WORKER_EXITED') || l.includes('COORDINATOR_EXITED'))).toBe(false);
});

function deepNest(depth: number): Buffer {
  // {"t": [[[[...]]]]} — 0x91 is a one-element array.
  const head = Buffer.from([0x81, 0xa1, 0x74]);
  return Buffer.concat([head, Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
}
