// The Acceptor in-process: real sockets on 127.0.0.1 and real socket hand-offs over IPC to two
// stand-in worker processes (fixtures/handoff-child.mjs), no cluster. It hands a connection, with
// every byte read, to the worker its route names; holds hand-offs per worker while that worker's
// acknowledgements are outstanding; places a connection on a running worker when its own is not;
// and refuses past maxConnections / maxConnectionsPerAddress, limits that setLimits changes at run
// time (the socket cap following).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config/load.js';
import type { Config } from '../../../server/config/schema.js';
import { Acceptor, MAX_IN_FLIGHT, socketCap } from '../../../server/primary/net/acceptor.js';
import type { Slot } from '../../../server/primary/supervision/supervisor.js';
import { createLogger } from '../../../server/log/logger.js';
import { unpack } from 'msgpackr';
import { encodeFramed } from '../../../shared/protocol/framing.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/handoff-child.mjs');

interface Got { t: 'got'; id: number; kind: string; head: string; hint: string | null; reject: string | null; address: string; socket: boolean; slot: number }

describe('Acceptor', { timeout: 30_000 }, () => {
  let config: Config;
  let acceptor: Acceptor;
  const children: ChildProcess[] = [];
  const got: Got[] = [];
  const more: Array<{ id: number; bytes: string; slot: number }> = [];
  let running = new Set([0, 1]);
  let route: (c: { room?: string; token?: string; game?: string }) => Promise<{ slot: number; room?: string } | null> = () => Promise.resolve(null);
  const routed: Array<{ room?: string; token?: string; game?: string }> = [];
  const clients: net.Socket[] = [];

  const slots = (): Slot[] => children.map((c, i) => ({ slot: i, worker: { process: c } }) as unknown as Slot);

  beforeAll(async () => {
    config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data', fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-acceptor-'))], {}).config;
    for (let i = 0; i < 2; i++) {
      const c = fork(CHILD, [], { serialization: 'advanced', stdio: 'inherit' });
      await new Promise<void>((r) => c.once('message', () => r()));
      c.on('message', (m: { t: string; ids?: number[] } & Record<string, unknown>) => {
        if (m.t === 'conn.closed') acceptor.released(i, m.ids!);
        else if (m.t === 'got') got.push({ ...(m as unknown as Got), slot: i });
        else if (m.t === 'more') more.push({ id: m.id as number, bytes: m.bytes as string, slot: i });
      });
      children.push(c);
    }
    acceptor = new Acceptor({
      config,
      log: createLogger('primary', 'silent'),
      running: () => slots().filter((s) => running.has(s.slot)),
      responsive: () => slots().filter((s) => running.has(s.slot)),
      route: (c) => {
        routed.push(c);
        return route(c);
      },
      isBanned: () => false,
      answerWithoutWorker: () => Promise.resolve({ status: 503, body: {} }),
    });
    await acceptor.listen();
  });

  afterAll(() => {
    for (const c of clients) c.destroy();
    acceptor?.close();
    for (const c of children) c.kill();
  });

  beforeEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    // Every socket of the test before has left the books (its worker reported the close).
    await until(() => acceptor.bookStats().addresses === 0, 'books empty');
    got.length = 0;
    more.length = 0;
    routed.length = 0;
    running = new Set([0, 1]);
    route = () => Promise.resolve(null);
    acceptor.setLimits({ maxConnections: 1000, maxConnectionsPerAddress: 1000 });
    config.refusalsPerAddress = 16;
  });

  const connect = async (): Promise<net.Socket> => {
    const s = net.connect(acceptor.port, '127.0.0.1');
    clients.push(s);
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    return s;
  };
  const hello = (room: string) => encodeFramed({ t: 'hello', v: 1, name: 'fish', room });
  /** What the server sent before closing the socket. */
  const answer = (s: net.Socket): Promise<Buffer> =>
    new Promise((resolve) => {
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.once('close', () => resolve(Buffer.concat(parts)));
    });
  /** The codes of the TCP-framed error messages in b. */
  const codesIn = (b: Buffer): string[] => {
    const out: string[] = [];
    for (let at = 0; at + 4 <= b.length; ) {
      const len = b.readUInt32BE(at);
      out.push((unpack(b.subarray(at + 4, at + 4 + len)) as { code: string }).code);
      at += 4 + len;
    }
    return out;
  };

  it('hands a TCP connection, with every byte read, to the worker its route names', async () => {
    route = () => Promise.resolve({ slot: 1, room: 'reef' });
    const s = await connect();
    const frame = hello('reef');
    // Split inside the length header and again inside the body: the acceptor reads on until it can route.
    s.write(frame.subarray(0, 2));
    await sleep(30);
    s.write(frame.subarray(2, 9));
    await sleep(30);
    s.write(frame.subarray(9));
    await until(() => got.length === 1, 'hand-off');
    expect(got[0]).toMatchObject({ slot: 1, kind: 'tcp', head: frame.toString('hex'), hint: 'reef', reject: null, address: '127.0.0.1', socket: true });
    expect(routed).toEqual([{ room: 'reef', token: undefined }]);
    // From then on the socket is the worker's: what the client sends next reaches it there.
    s.write('after');
    await until(() => more.length === 1, 'bytes after the hand-off');
    expect(more[0]).toMatchObject({ slot: 1, bytes: Buffer.from('after').toString('hex') });
    expect(acceptor.stats().open).toBe(1);
  });

  it('routes a quick-join by the game its hello asks for (the coordinator picks a room of that game)', async () => {
    route = () => Promise.resolve({ slot: 1, room: 'four-1a2b' });
    const s = await connect();
    const frame = encodeFramed({ t: 'hello', v: 1, name: 'fish', game: 'four' });
    s.write(frame);
    await until(() => got.length === 1, 'hand-off');
    expect(routed).toEqual([{ room: undefined, token: undefined, game: 'four' }]);
    expect(Object.keys(routed[0]!)).toContain('game');
    expect(got[0]).toMatchObject({ slot: 1, kind: 'tcp', head: frame.toString('hex'), hint: 'four-1a2b' });
  });

  it('a connection whose routed worker is not running goes to one that is', async () => {
    running = new Set([0]);
    route = () => Promise.resolve({ slot: 1, room: 'kelp' });
    for (let i = 0; i < 3; i++) (await connect()).write(hello('kelp'));
    await until(() => got.length === 3, 'hand-offs');
    expect(got.map((g) => g.slot)).toEqual([0, 0, 0]);
    expect(got.map((g) => g.hint)).toEqual(['kelp', 'kelp', 'kelp']);
  });

  it(`gives Node at most ${MAX_IN_FLIGHT} hand-offs per worker beyond the one it awaits an acknowledgement for; the rest wait here for that worker`, async () => {
    route = () => Promise.resolve({ slot: 0 });
    const blocking = new Promise<void>((r) => children[0]!.once('message', () => r()));
    children[0]!.send({ t: 'block', ms: 1000 });
    await blocking;
    const n = MAX_IN_FLIGHT + 6;
    for (let i = 0; i < n; i++) (await connect()).write(hello('shoal'));
    // One passed and not acknowledged (the child reads nothing while it is busy), MAX_IN_FLIGHT in
    // Node's queue behind it; the other five wait in slot 0's queue here: not sent elsewhere.
    await until(() => acceptor.bookStats().handoffsWaiting?.[0] === n - MAX_IN_FLIGHT - 1, 'hand-offs waiting here');
    await sleep(300);
    expect(acceptor.bookStats().handoffsWaiting).toEqual({ 0: n - MAX_IN_FLIGHT - 1 });
    expect(got.length).toBe(0);
    // Each acknowledgement (Node's, as the child reads a socket) lets the next through.
    await until(() => got.length === n, 'the rest after the acknowledgements');
    expect(got.every((g) => g.slot === 0)).toBe(true);
    expect(acceptor.bookStats().handoffsWaiting).toEqual({});
  });

  it('refuses a game connection past maxConnections with SERVER_FULL; setLimits moves the limit and the socket cap', async () => {
    acceptor.setLimits({ maxConnections: 1 });
    expect(acceptor.limits()).toEqual({ maxConnections: 1, maxConnectionsPerAddress: 1000, socketCap: socketCap(1) });
    expect(acceptor.server.maxConnections).toBe(1 * 2 + 1024);
    (await connect()).write(hello('a'));
    await until(() => got.length === 1, 'first hand-off');
    const second = await connect();
    const refused = answer(second);
    second.write(hello('b'));
    expect(codesIn(await refused)).toEqual(['SERVER_FULL']);
    expect(got.length).toBe(1);
    expect(acceptor.refusals.total).toBeGreaterThanOrEqual(1);

    acceptor.setLimits({ maxConnections: 2 });
    expect(acceptor.server.maxConnections).toBe(socketCap(2));
    expect(config.maxConnections).toBe(2);
    (await connect()).write(hello('c'));
    await until(() => got.length === 2, 'second hand-off after the change');
    expect(acceptor.stats().open).toBe(2);
  });

  it('past maxConnectionsPerAddress tells SERVER_FULL; past the refusals too, closes unread', async () => {
    acceptor.setLimits({ maxConnectionsPerAddress: 1 });
    config.refusalsPerAddress = 1;
    (await connect()).write(hello('a'));
    await until(() => got.length === 1, 'first hand-off');
    const second = await connect();
    const told = answer(second);
    second.write(hello('b'));
    const third = await connect();
    const closed = answer(third);
    third.write(hello('c'));
    expect(codesIn(await told)).toEqual(['SERVER_FULL']);
    expect((await closed).length).toBe(0);
    expect(got.length).toBe(1);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(fn: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
