// The primary counts every accepted socket against the connection limits until it closes, and
// releases it exactly once whichever way it ends. Each path below is taken more times than the
// per-address limit, so a slot leaked on any of them would lock the address out; after each the
// books (console `status`, /metrics) must be back at zero.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { run } from '../console/console-helpers.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { startServer, sleep, until, workerPid, type TestServer } from '../helpers/server.js';

const CAP = 10;
const TIMES = CAP + 5;

interface Books {
  unclassified: number;
  game: number;
  http: number;
  refusing: number;
  addresses: number;
  perAddressMax: number;
}

/** Raw bytes to the server from a chosen loopback address; resolves with all it answered once it closes. */
function exchange(port: number, bytes: string | Buffer, o: { from?: string; closeAfterMs?: number; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: o.from });
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${o.timeoutMs ?? 8000} ms; got ${JSON.stringify(out)}`));
    }, o.timeoutMs ?? 8000);
    s.on('data', (d) => {
      out += d.toString('latin1');
      // An answer with a body we do not need: the client goes (keep-alive would hold it open).
      if (o.closeAfterMs === undefined && /\r\n\r\n/.test(out)) s.end();
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    s.on('connect', () => {
      s.write(bytes);
      if (o.closeAfterMs !== undefined) setTimeout(() => s.destroy(), o.closeAfterMs);
    });
  });
}


describe('connection books', () => {
  let server: TestServer;
  const books = async (): Promise<Books> => (await run(server.consoleSocket, 'status')).totals.counted;
  const empty = (b: Books) => b.unclassified + b.game + b.http + b.refusing === 0 && b.addresses === 0;
  /** The books return to zero (the worker reports closes in 100 ms batches). */
  const settled = async (what: string) => {
    let last: Books | undefined;
    await until(async () => empty((last = await books())), 8000, `${what}: books back at zero`).catch((e) => {
      throw new Error(`${e.message}; last ${JSON.stringify(last)}`);
    });
  };
  /**
   * n connections, `parallel` at a time, the books settling between batches: a close reaches the
   * books within about 100 ms (workers report in batches), and a batch must not be refused for
   * the one before it.
   */
  const times = async (n: number, parallel: number, fn: (i: number) => Promise<unknown>, what: string) => {
    for (let i = 0; i < n; i += parallel) {
      await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, j) => fn(i + j)));
      await settled(`${what}, after ${i + parallel}`);
    }
  };
  /** A new player from this address is still let in. */
  const joins = async (from = '127.0.0.1') => {
    const c = await RawTcp.connect(server.port, from);
    c.send(hello('fresh'));
    const m = await c.next((x) => x.t === 'welcome' || x.t === 'error');
    c.close();
    expect(m.t).toBe('welcome');
  };

  beforeAll(async () => {
    server = await startServer({
      workers: 2,
      args: [
        '--max-connections-per-address', String(CAP), '--refusals-per-address', '3', '--http-headers-timeout-ms', '1000',
        '--hello-timeout-ms', '1000', '--hang-timeout-ms', '60000',
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('releases a /ws request answered 426 (no upgrade) or 400 (bad Sec-WebSocket-Key)', async () => {
    await times(TIMES, 5, async () => {
      expect(await exchange(server.port, 'GET /ws HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 426/);
    }, '426');
    const badKey = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: nope\r\n\r\n';
    await times(TIMES, 5, async () => {
      expect(await exchange(server.port, badKey)).toMatch(/^HTTP\/1\.1 400/);
    }, '400');
    await settled('426 and 400');
    await joins();
  });

  it('releases a /ws request whose head never completes (408), and a silent socket (HELLO_TIMEOUT)', async () => {
    await times(TIMES, 5, async () => {
      expect(await exchange(server.port, 'GET /ws?room=slow HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 8000 })).toMatch(/^HTTP\/1\.1 408/);
    }, '408');
    await times(TIMES, 5, async () => {
      const s = await RawTcp.connect(server.port);
      expect(await s.next((m) => m.t === 'error', 5000)).toMatchObject({ code: 'HELLO_TIMEOUT' });
      await s.waitClosed();
    }, 'HELLO_TIMEOUT');
    await settled('408 and HELLO_TIMEOUT');
    await joins();
  });

  it('releases TCP hellos closed at once, and connections closed before or during the hand-off', async () => {
    const helloBytes = Buffer.from(frame(encode(hello('gone', { room: 'handoff' }))));
    // Rounds that fit under the limit, each settled, so every one takes its path rather than a refusal.
    for (let round = 0; round < 6; round++) {
      await Promise.all([
        // Hello, then gone in the same turn: closed while classified, routed or handed off.
        ...Array.from({ length: 4 }, () => exchange(server.port, helloBytes, { closeAfterMs: 0 })),
        // Gone while the room is being looked up.
        ...Array.from({ length: 2 }, () => exchange(server.port, 'GET /ws?room=handoff HTTP/1.1\r\nHost: x\r\n\r\n', { closeAfterMs: 0 })),
        // Gone before it could be classified.
        exchange(server.port, Buffer.from([0, 0]), { closeAfterMs: 0 }),
        // Hello, then gone a moment later (seated or being seated).
        exchange(server.port, helloBytes, { closeAfterMs: 20 }),
      ]);
      await settled(`closed at once, round ${round}`);
    }
    await joins();
  });

  it('releases connections refused with SERVER_FULL, those closed past the refusals, and banned ones', async () => {
    const from = '127.0.0.3';
    const held: RawTcp[] = [];
    for (let i = 0; i < CAP; i++) {
      const c = await RawTcp.connect(server.port, from);
      c.send(hello(`h${i}`, { room: 'full' }));
      await c.next((m) => m.t === 'welcome');
      held.push(c);
    }
    expect((await books()).perAddressMax).toBe(CAP);
    for (let i = 0; i < 3; i++) {
      const c = await RawTcp.connect(server.port, from);
      c.send(hello('extra'));
      expect(await c.next((m) => m.t === 'error')).toMatchObject({ code: 'SERVER_FULL', fatal: true });
      await c.waitClosed();
    }
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { localAddress: from });
      const m = await new Promise<any>((resolve, reject) => {
        ws.on('message', (d: Buffer) => resolve(decode(d)));
        ws.on('error', reject);
      });
      expect(m).toMatchObject({ code: 'SERVER_FULL', fatal: true });
      await new Promise((r) => ws.once('close', r));
    }
    // Silent ones past the limit: refusalsPerAddress (3) are read (and time out); the rest closed at once.
    await until(async () => (await books()).refusing === 0, 5000, 'refusals released');
    const silent = await Promise.all(Array.from({ length: 10 }, () => exchange(server.port, Buffer.alloc(0), { from, timeoutMs: 8000 })));
    expect(silent.filter((s) => s === '').length).toBe(7);
    for (const c of held) c.close();
    await settled('refused');

    await run(server.consoleSocket, 'ban', '127.0.0.4');
    await times(TIMES, 5, async () => {
      expect(await exchange(server.port, frame(encode(hello('banned'))), { from: '127.0.0.4' })).toBe('');
    }, 'banned');
    await run(server.consoleSocket, 'unban', '127.0.0.4');
    await settled('banned');
    await joins('127.0.0.4');
    await joins(from);
  });

  it('releases the connections a killed worker held', async () => {
    await settled('before');
    const held: RawTcp[] = [];
    for (let i = 0; i < CAP; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`k${i}`, { room: 'doomed' }));
      held.push(c);
      await c.next((m) => m.t === 'welcome');
    }
    expect((await books()).game).toBe(CAP);
    const rooms = await run(server.consoleSocket, 'rooms');
    const slot = rooms.find((r: any) => r.id === 'doomed').worker;
    process.kill(workerPid(server, slot), 'SIGKILL');
    for (const c of held) await c.waitClosed(10_000);
    await settled('worker killed');
    // Its replacement is up before the next player is placed there.
    await sleep(500);
    await joins();
  }, 30_000);

  it('shows the books in /metrics under Prometheus names', async () => {
    await settled('before');
    const c = await RawTcp.connect(server.port);
    c.send(hello('metered'));
    await c.next((m) => m.t === 'welcome');
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    c.close();
    expect(text).toMatch(/^shoal_primary_connections_open\{kind="game"\} 1$/m);
    // The scrape's own connection is HTTP.
    expect(text).toMatch(/^shoal_primary_connections_open\{kind="http"\} [1-9]/m);
    expect(text).toMatch(/^shoal_primary_connection_addresses [1-9]/m);
    expect(text).toMatch(/^shoal_primary_connections_per_address_max [1-9]/m);
    // Refusals from the earlier tests, by reason.
    expect(text).toMatch(/^shoal_connections_refused_total\{reason="address"\} [1-9]/m);
    expect(text).toMatch(/^shoal_connections_refused_total\{reason="banned"\} [1-9]/m);
  });
});
