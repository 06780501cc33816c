// Frames built to make a decoder work hard — msgpackr's shared-reference chains (the 520-byte frame
// that took the server down), nesting, lying lengths, every extension type, trailing bytes, number
// edge cases — sent over TCP and WebSocket, as the first frame (decoded by the primary for routing)
// and after hello. Each gets BAD_MESSAGE, and no process stalls on any of them: the main thread of
// every process (primary, workers, coordinator) spends under 50 ms of CPU from a frame's sending to
// its answer — CPU time, read from /proc, so the bound holds on a loaded machine where wall-clock
// waits include other programs' turns — while players on both workers keep getting pongs and
// states and the primary keeps answering its console.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import type { ShoalClient } from '../../shared/client/client.js';
import { logLines, sleep, startServer, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { referenceChain } from '../helpers/msgpack.js';
import { rawExchange, run } from '../console/console-helpers.js';

/** The longest a frame may hold up any process (issue 10): CPU its main thread spends on one frame. */
const STALL_MS = 50;
/**
 * Wall-clock bound for a watching player's pong and state gap and the primary's console answer. It
 * includes the turns of every other program on this shared machine, so it is looser than STALL_MS;
 * the frames that took the server down held a worker 2.5 s and the primary 20 s.
 */
const SERVED_MS = 500;
const HZ = 20;
const WATCH_ROOM = 'watch-0';
const MAX_FRAME = 65536;

let server: TestServer;
const watchers: ShoalClient[] = [];

beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--max-msg-rate', '2000', '--hz', String(HZ), '--golden-coin-ms', '0'] });
  // One watching player on each worker, so a stall anywhere shows in someone's pings and states.
  const seen = new Set<number>();
  for (let i = 0; watchers.length < 2 && i < 8; i++) {
    const w = server.client({ transport: 'tcp', name: `watch${i}`, room: `watch-${i}`, autoResume: false });
    await w.connect();
    const rooms: Array<{ id: string; worker: number }> = await run(server.consoleSocket, 'rooms');
    const slot = rooms.find((r) => r.id === `watch-${i}`)!.worker;
    if (seen.has(slot)) {
      w.close();
      continue;
    }
    seen.add(slot);
    watchers.push(w);
  }
  expect(watchers.length).toBe(2);
}, 60_000);
afterAll(async () => {
  for (const w of watchers) w.close();
  await server?.stop();
});

interface Watch {
  /** Worst ping round trip of each watcher, worst gap between its states, worst console answer. */
  worstPingMs: number;
  worstStateGapMs: number;
  worstConsoleMs: number;
  pings: number;
  consoleAnswers: number;
}

/** Runs fn while probing every process; returns what the probes saw. */
async function watched(fn: () => Promise<void>): Promise<Watch> {
  const w: Watch = { worstPingMs: 0, worstStateGapMs: 0, worstConsoleMs: 0, pings: 0, consoleAnswers: 0 };
  let on = true;
  const offs = watchers.map((c) => {
    let last = performance.now();
    return c.on('state', () => {
      const now = performance.now();
      w.worstStateGapMs = Math.max(w.worstStateGapMs, now - last);
      last = now;
    });
  });
  const pingLoop = async (c: ShoalClient) => {
    while (on) {
      const t0 = performance.now();
      await c.ping(10_000);
      w.worstPingMs = Math.max(w.worstPingMs, performance.now() - t0);
      w.pings++;
      await sleep(5);
    }
  };
  // `help` is answered by the primary alone: its round trip shows the primary's event loop.
  const consoleLoop = async () => {
    while (on) {
      const t0 = performance.now();
      await rawExchange(server.consoleSocket, JSON.stringify({ id: 1, cmd: 'help', args: [] }) + '\n', 30_000);
      w.worstConsoleMs = Math.max(w.worstConsoleMs, performance.now() - t0);
      w.consoleAnswers++;
      await sleep(5);
    }
  };
  const loops = [...watchers.map(pingLoop), consoleLoop()];
  // A state gap is judged from a state seen during fn, not from before it started.
  await sleep(100);
  w.worstStateGapMs = 0;
  try {
    await fn();
    await sleep(100);
  } finally {
    on = false;
    await Promise.all(loops);
    for (const off of offs) off();
  }
  return w;
}

function expectNoStall(w: Watch): void {
  expect(w.pings).toBeGreaterThan(4);
  expect(w.consoleAnswers).toBeGreaterThan(2);
  expect(w.worstPingMs, 'a watching player waited this long for a pong').toBeLessThan(SERVED_MS);
  expect(w.worstConsoleMs, 'the primary took this long to answer its console').toBeLessThan(SERVED_MS);
  expect(w.worstStateGapMs, 'a watching player waited this long between states').toBeLessThan(SERVED_MS);
}

/** Every server process by role, from the console's status (the primary is the spawned process). */
async function processes(): Promise<Array<{ id: string; pid: number }>> {
  const st = await run(server.consoleSocket, 'status');
  const ps = (st.processes as Array<{ id: string; pid: number | null }>).filter((p) => p.pid).map((p) => ({ id: p.id, pid: p.pid! }));
  expect(ps.map((p) => p.id).sort()).toEqual(['coordinator', 'primary', 'worker-0', 'worker-1']);
  return ps;
}

/** On-CPU time of a process's main thread (the one running its event loop), in ms. */
function mainThreadCpuMs(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

// --- the frames -------------------------------------------------------------------------------

const B = (...bytes: number[]) => Buffer.from(bytes);
/** A ping map whose last value (the id) is replaced by raw bytes. */
const pingWith = (raw: Buffer) => Buffer.concat([encode({ t: 'ping', id: 0 }).subarray(0, -1), raw]);
const extForms = (t: number): Buffer[] => [
  B(0xd4, t, 0), B(0xd5, t, 0, 0), B(0xd6, t, 0, 0, 0, 0), B(0xd7, t, 0, 0, 0, 0, 0, 0, 0, 0), B(0xd8, t, ...new Array(16).fill(0)),
  B(0xc7, 1, t, 0), B(0xc8, 0, 1, t, 0), B(0xc9, 0, 0, 0, 1, t, 0),
];
const timestamp = B(0xd6, 0xff, 0x5f, 0x5e, 0x10, 0x00);

const attacks: Record<string, Buffer> = {
  'reference chain, 40 levels, trailing byte (the 520-byte frame)': Buffer.concat([referenceChain(40), B(0)]),
  'reference chain in a hello, trailing byte': Buffer.concat([referenceChain(40, true), B(0)]),
  'reference chain, no trailing byte': referenceChain(40),
  'reference chain, 60 levels, trailing byte': Buffer.concat([referenceChain(60), B(0)]),
  'nesting 65000 arrays deep': Buffer.concat([Buffer.alloc(MAX_FRAME - 1, 0x91), B(0x90)]),
  'nesting 21000 maps deep': Buffer.concat([...Array.from({ length: 21_000 }, () => B(0x81, 0xa1, 0x78)), B(0xc0)]),
  'str32 declaring 4 GB': B(0x81, 0xa1, 0x74, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61),
  'bin32 declaring 4 GB': B(0x81, 0xa1, 0x74, 0xc6, 0xff, 0xff, 0xff, 0xff, 0x61),
  'array32 of 4 billion': B(0x81, 0xa1, 0x74, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0),
  'map32 of 4 billion': B(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x74, 0xc0),
  'array16 of 65535 in 10 bytes': B(0x81, 0xa1, 0x74, 0xdc, 0xff, 0xff, 0xc0, 0xc0),
  'map16 of 65535 in 10 bytes': B(0xde, 0xff, 0xff, 0xa1, 0x74, 0xc0),
  'a 64 KB array of nils (valid, not a map)': Buffer.concat([B(0xdd, 0, 0, 0xff, 0xfa), Buffer.alloc(MAX_FRAME - 5, 0xc0)]),
  // { t: 'ping', id: 1, x: <timestamp> }: an extension in a field the server ignores.
  'ping with a timestamp extension (issue 11.4)': Buffer.concat([B(0x83), encode({ t: 'ping', id: 1 }).subarray(1), B(0xa1, 0x78), timestamp]),
  'a timestamp alone': timestamp,
  'trailing byte after a valid ping': Buffer.concat([encode({ t: 'ping', id: 1 }), B(0)]),
  'ping id uint64 2^53 (not a safe integer)': pingWith(B(0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0)),
  'ping id uint64 2^64-1': pingWith(B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
  'ping id int64 -2^63': pingWith(B(0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0)),
  'ping id NaN': pingWith(B(0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0)),
  'ping id Infinity': pingWith(B(0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0)),
  'ping id float32 1.5': pingWith(B(0xca, 0x3f, 0xc0, 0, 0)),
  'ping id -1': pingWith(B(0xff)),
  'ping id 0xc1': pingWith(B(0xc1)),
  'invalid UTF-8 key': B(0x81, 0xa2, 0xc3, 0x28, 0xc0),
};
for (const t of [0x69, 0x70, 0xff, 0x00, 0x01, 0x42, 0x73, 0x74, 0x7f, 0x80]) {
  extForms(t).forEach((x, i) => (attacks[`ext type 0x${t.toString(16)} form ${i} in a ping`] = pingWith(x)));
}

const tooLarge = Object.entries(attacks).filter(([, b]) => b.length > MAX_FRAME);
if (tooLarge.length) throw new Error(`frames over --max-frame: ${tooLarge.map(([n]) => n).join(', ')}`);

// --- the transports ---------------------------------------------------------------------------

class RawWs {
  readonly messages: any[] = [];
  private constructor(readonly sock: WebSocket) {
    sock.on('message', (d: Buffer) => this.messages.push(decode(d)));
  }
  static async open(port: number): Promise<RawWs> {
    const sock = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    sock.on('error', () => {});
    await new Promise((r, j) => {
      sock.once('open', r);
      sock.once('error', j);
    });
    return new RawWs(sock);
  }
  send(b: Uint8Array): void {
    this.sock.send(b);
  }
  async next(pred: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.t))}`);
      await sleep(2);
    }
  }
  close(): void {
    this.sock.terminate();
  }
}

interface Peer {
  send(body: Buffer): void;
  next(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

async function peer(transport: 'tcp' | 'ws', joined: boolean): Promise<Peer> {
  const p: Peer = transport === 'tcp'
    ? await RawTcp.connect(server.port).then((c) => ({ send: (b: Buffer) => c.write(frame(b)), next: c.next.bind(c), close: () => c.close() }))
    : await RawWs.open(server.port);
  if (joined) {
    // In a watcher's room, so a stall of the worker that decodes the attack shows in its pings.
    p.send(Buffer.from(encode(hello('attacker', { room: WATCH_ROOM }))));
    await p.next((m) => m.t === 'welcome');
  }
  return p;
}

interface Thrown {
  worstReplyMs: number;
  /** Per process: the most CPU its main thread spent between a frame's sending and its answer. */
  worstCpuMs: Record<string, number>;
}

/**
 * Sends each frame on its own fresh connection (or on one joined connection), expecting
 * BAD_MESSAGE back, and measures what each frame cost every process.
 */
async function throwAll(transport: 'tcp' | 'ws', joined: boolean, frames: Array<[string, Buffer]>): Promise<Thrown> {
  const procs = await processes();
  const out: Thrown = { worstReplyMs: 0, worstCpuMs: Object.fromEntries(procs.map((p) => [p.id, 0])) };
  const shared = joined ? await peer(transport, true) : null;
  for (const [name, body] of frames) {
    const p = shared ?? (await peer(transport, false));
    const cpu0 = procs.map((x) => mainThreadCpuMs(x.pid));
    const t0 = performance.now();
    p.send(body);
    const err = await p.next((m) => m.t === 'error' || m.t === 'pong', 10_000).catch((e: Error) => ({ t: 'none', message: e.message }));
    out.worstReplyMs = Math.max(out.worstReplyMs, performance.now() - t0);
    procs.forEach((x, i) => {
      const spent = mainThreadCpuMs(x.pid) - cpu0[i]!;
      out.worstCpuMs[x.id] = Math.max(out.worstCpuMs[x.id]!, spent);
      expect(spent, `${x.id} spent this much CPU on "${name}"`).toBeLessThan(STALL_MS);
    });
    expect({ name, t: err.t, code: err.code, fatal: err.fatal }).toEqual({ name, t: 'error', code: 'BAD_MESSAGE', fatal: false });
    expect(err.message.length, name).toBeLessThan(200);
    if (!shared) p.close();
    // One frame at a time: a stall is then one frame's doing, not a queue of them.
    await sleep(10);
  }
  if (shared) {
    // The connection goes on as if the frames had not been sent.
    shared.send(Buffer.from(encode({ t: 'ping', id: 77 })));
    expect((await shared.next((m) => m.t === 'pong' || m.t === 'error')).id).toBe(77);
    shared.close();
  }
  return out;
}

const cpuFigure = (t: Thrown) => Object.entries(t.worstCpuMs).map(([id, ms]) => `${id} ${ms.toFixed(1)}`).join(', ');

function noRestarts(): void {
  const codes = ['WORKER_EXITED', 'COORDINATOR_EXITED', 'WORKER_HUNG', 'COORDINATOR_HUNG'];
  expect(logLines(server).filter((l) => codes.includes(l.code))).toEqual([]);
  for (const w of watchers) expect(w.status).toBe('joined');
}

const frames = Object.entries(attacks);
const chain = frames.filter(([n]) => n.startsWith('reference chain'));

describe.each([['tcp' as const], ['ws' as const]])('over %s', (transport) => {
  it('refuses the 520-byte reference chain as the first frame with BAD_MESSAGE, and nothing stalls', async () => {
    let t!: Thrown;
    const w = await watched(async () => {
      t = await throwAll(transport, false, chain);
    });
    console.log(`[figure] ${transport} reference chains as first frame: most CPU on one frame (ms) ${cpuFigure(t)}; reply within ${t.worstReplyMs.toFixed(1)} ms; worst pong ${w.worstPingMs.toFixed(1)} ms, state gap ${w.worstStateGapMs.toFixed(1)} ms, primary console ${w.worstConsoleMs.toFixed(1)} ms`);
    expectNoStall(w);
    noRestarts();
  }, 60_000);

  it('refuses every hostile frame after hello with BAD_MESSAGE, and nothing stalls', async () => {
    let t!: Thrown;
    const w = await watched(async () => {
      t = await throwAll(transport, true, frames);
    });
    console.log(`[figure] ${transport} ${frames.length} hostile frames after hello: most CPU on one frame (ms) ${cpuFigure(t)}; reply within ${t.worstReplyMs.toFixed(1)} ms; worst pong ${w.worstPingMs.toFixed(1)} ms, state gap ${w.worstStateGapMs.toFixed(1)} ms, primary console ${w.worstConsoleMs.toFixed(1)} ms`);
    expectNoStall(w);
    noRestarts();
  }, 120_000);

  it('refuses every hostile frame as the first frame with BAD_MESSAGE, and nothing stalls', async () => {
    let t!: Thrown;
    const w = await watched(async () => {
      t = await throwAll(transport, false, frames);
    });
    console.log(`[figure] ${transport} ${frames.length} hostile first frames: most CPU on one frame (ms) ${cpuFigure(t)}; reply within ${t.worstReplyMs.toFixed(1)} ms; worst pong ${w.worstPingMs.toFixed(1)} ms, state gap ${w.worstStateGapMs.toFixed(1)} ms, primary console ${w.worstConsoleMs.toFixed(1)} ms`);
    expectNoStall(w);
    noRestarts();
  }, 120_000);
});

describe('64-bit integers over TCP (issue 10)', () => {
  const u64 = (n: bigint) => { const b = Buffer.alloc(9); b[0] = 0xcf; b.writeBigUInt64BE(n, 1); return b; };
  const i64 = (n: bigint) => { const b = Buffer.alloc(9); b[0] = 0xd3; b.writeBigInt64BE(n, 1); return b; };

  it('answers a ping whose id is any safe unsigned integer, however it is encoded', async () => {
    const c = await RawTcp.connect(server.port);
    c.send(hello('wide', { room: 'ints' }));
    await c.next((m) => m.t === 'welcome');
    for (const [raw, want] of [[u64(2n ** 32n), 2 ** 32], [u64(2n ** 53n - 1n), 2 ** 53 - 1], [u64(7n), 7], [i64(2n ** 40n), 2 ** 40], [B(0xce, 0xff, 0xff, 0xff, 0xff), 2 ** 32 - 1]] as const) {
      c.write(frame(pingWith(raw)));
      expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'pong', id: want });
    }
    // input.seq too: accepted (no error comes back before the pong that follows).
    c.write(frame(Buffer.concat([encode({ t: 'input', dx: 0, dy: 0, seq: 0 }).subarray(0, -1), u64(2n ** 32n)])));
    c.send({ t: 'ping', id: 5 });
    expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'pong', id: 5 });
    c.close();
  });

  it('refuses a 64-bit id beyond 2^53-1 with BAD_MESSAGE that says why', async () => {
    const c = await RawTcp.connect(server.port);
    c.send(hello('wide2', { room: 'ints' }));
    await c.next((m) => m.t === 'welcome');
    for (const raw of [u64(2n ** 53n), u64(2n ** 64n - 1n)]) {
      c.write(frame(pingWith(raw)));
      const e = await c.next((m) => m.t === 'pong' || m.t === 'error');
      expect(e).toMatchObject({ t: 'error', code: 'BAD_MESSAGE', fatal: false });
      expect(e.message).toMatch(/safe range/);
    }
    c.write(frame(pingWith(i64(-5n))));
    expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'error', code: 'BAD_MESSAGE', message: 'ping.id must be an unsigned integer' });
    c.close();
  });
});

describe('nesting limit (--max-msg-depth)', () => {
  /** A ping whose extra field x holds arrays nested `arrays` deep: the message is arrays + 1 deep. */
  const deepPing = (id: number, arrays: number) => Buffer.concat([B(0x83), encode({ t: 'ping', id }).subarray(1), B(0xa1, 0x78), Buffer.alloc(arrays - 1, 0x91), B(0x90)]);

  it('answers a message 16 deep and refuses one 17 deep by default', async () => {
    const c = await RawTcp.connect(server.port);
    c.send(hello('deep', { room: 'ints' }));
    await c.next((m) => m.t === 'welcome');
    c.write(frame(deepPing(16, 15)));
    expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'pong', id: 16 });
    c.write(frame(deepPing(17, 16)));
    const e = await c.next((m) => m.t === 'pong' || m.t === 'error');
    expect(e).toMatchObject({ t: 'error', code: 'BAD_MESSAGE' });
    expect(e.message).toMatch(/nested too deep/);
    c.close();
  });

  it('follows the configured limit', async () => {
    const s = await startServer({ workers: 1, args: ['--max-msg-depth', '2'] });
    try {
      const c = await RawTcp.connect(s.port);
      c.send(hello('deep'));
      await c.next((m) => m.t === 'welcome');
      c.write(frame(deepPing(2, 1)));
      expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'pong', id: 2 });
      c.write(frame(deepPing(3, 2)));
      expect(await c.next((m) => m.t === 'pong' || m.t === 'error')).toMatchObject({ t: 'error', code: 'BAD_MESSAGE' });
      c.close();
    } finally {
      await s.stop();
    }
  }, 60_000);
});
