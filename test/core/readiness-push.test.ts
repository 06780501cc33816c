// Workers answer /health and /ready from the readiness the primary pushes them (no round trip per
// probe, no time-based reuse), and the answer is live: a probe on a keep-alive connection, which
// the primary never sees again after its hand-off, hears an address reach its connection limit
// (503 address_full) the moment the books say so, and 200 again once a connection has closed.
// Another address, on the same worker at the same moment, is still ready.
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

const CAP = 3;
let server: TestServer;
beforeAll(async () => {
  // One worker: every probe and every player meets the same worker's copy of the readiness.
  server = await startServer({ workers: 1, args: ['--max-connections-per-address', String(CAP), '--hang-timeout-ms', '60000'] });
});
afterAll(async () => {
  await server?.stop();
});

/** One keep-alive connection from `from`, reused for every probe (the agent holds one socket). */
function prober(from: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const get = (path: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path, localAddress: from, agent, timeout: 3000 }, (res) => {
      sockets.add(res.socket);
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path}`)));
    req.on('error', reject);
  });
  return { get, sockets, close: () => agent.destroy() };
}

async function player(name: string, from: string): Promise<RawTcp> {
  const c = await RawTcp.connect(server.port, from);
  c.send(hello(name));
  await c.next((m) => m.t === 'welcome');
  return c;
}

it('answers an address reaching its limit with 503 at once on a kept-alive probe, and 200 right after a close', async () => {
  const a = '127.0.0.31';
  const p = prober(a);
  const other = prober('127.0.0.32');
  try {
    expect(await p.get('/health')).toMatchObject({ status: 200, body: { status: 'ok', ready: true, reasons: [] } });
    // The probe's connection is one of the address's CAP; two players fill it.
    const held = [await player('p1', a), await player('p2', a)];
    // No new connection for the probe: only a push can have told its worker.
    const full = await p.get('/health');
    expect(full).toMatchObject({ status: 503, body: { status: 'degraded', ready: false, reasons: ['address_full'] } });
    expect(full.body.error).toBeUndefined(); // a worker's answer, not the primary's refusal
    expect(await p.get('/ready')).toMatchObject({ status: 503, body: { status: 'degraded', reasons: ['address_full'] } });
    // Another address at the same moment, from the same worker's copy: ready.
    expect(await other.get('/health')).toMatchObject({ status: 200, body: { status: 'ok', reasons: [] } });
    // One player leaves: its worker reports the close to the primary's books (in batches of
    // 100 ms), which push it; ready again as soon as that has happened, not after some time-out.
    held.pop()!.close();
    const closedAt = Date.now();
    await until(async () => (await p.get('/health')).status === 200 || null, 2000, '/health 200 after a close');
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(await p.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready', ready: true } });
    // Full again with a new player, at once.
    held.push(await player('p3', a));
    expect(await p.get('/health')).toMatchObject({ status: 503, body: { reasons: ['address_full'] } });
    expect(p.sockets.size).toBe(1); // every probe went over the one kept-alive connection
    for (const c of held) c.close();
  } finally {
    p.close();
    other.close();
  }
}, 20_000);
