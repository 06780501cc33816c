// /health (and /ready) answer 503 {status: "degraded", reasons} while a new player could not join,
// and 200 again once one can (/health's 200 is the v1 answer, status "ok"); /live answers 200 while
// the server answers at all. Over real HTTP, against real process faults.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { coordinatorPid, startServer, until, workerPid, type TestServer } from '../helpers/server.js';

interface Answer {
  status: number;
  body: any;
}

/** GET over a fresh connection (from a chosen loopback address); rejects if nothing comes in timeoutMs. */
function get(port: number, path: string, from?: string, timeoutMs = 4000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress: from, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Polls until /ready gives the wanted status (a probe that hangs or fails counts as not yet). */
async function readyBecomes(port: number, status: number, timeoutMs: number, from?: string, reason?: string): Promise<Answer> {
  let last: Answer | Error | undefined;
  await until(
    async () => {
      last = await get(port, '/ready', from, 2500).catch((e: Error) => e);
      // Rapid probes can briefly fill their own address's books (closes are reported within
      // ~100 ms), so a wanted reason is waited for rather than any 503.
      return !(last instanceof Error) && last.status === status && (!reason || (last.body.reasons as string[]).includes(reason));
    },
    timeoutMs,
    `/ready ${status} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
  );
  return last as Answer;
}

async function player(port: number, name: string, from?: string): Promise<RawTcp> {
  const c = await RawTcp.connect(port, from);
  c.send(hello(name));
  await c.next((m) => m.t === 'welcome');
  return c;
}

describe('readiness with connection limits and the coordinator', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      workers: 2,
      args: ['--max-connections', '6', '--max-connections-per-address', '4', '--hang-timeout-ms', '60000'],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is ready when players can join, /health with its v1 fields, /live alive', async () => {
    const ready = await get(server.port, '/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', ready: true, reasons: [] } });
    const health = await get(server.port, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', ready: true, reasons: [] });
    for (const k of ['workers', 'rooms', 'players', 'uptimeSeconds']) expect(typeof health.body[k]).toBe('number');
    expect(await get(server.port, '/live')).toMatchObject({ status: 200, body: { status: 'ok', live: true } });
  });

  it('says address_full to an address at its limit, connections_full to everyone at the total limit', async () => {
    const a = '127.0.0.12';
    const held = [await player(server.port, 'a1', a), await player(server.port, 'a2', a), await player(server.port, 'a3', a)];
    // The probe is the address's fourth connection: the next one would be refused.
    expect(await get(server.port, '/ready', a)).toMatchObject({ status: 503, body: { status: 'degraded', reasons: ['address_full'] } });
    // The probe before may still be counted for a moment (closes reach the books within ~100 ms),
    // in which case this one is past the limit and answered 503 by the primary: ask again.
    let health: Answer | undefined;
    await until(async () => !(health = await get(server.port, '/health', a)).body.error, 5000, '/health from the full address, answered by a worker');
    expect(health).toMatchObject({ status: 503, body: { status: 'degraded', ready: false, reasons: ['address_full'] } });
    expect(await get(server.port, '/health')).toMatchObject({ status: 200, body: { status: 'ok', ready: true } });
    // The probes just closed may still count toward the total of 6 for a moment (connections_full);
    // once the books have them, another address is ready while this one stays full.
    await readyBecomes(server.port, 200, 5000);
    // Again the probes just closed may still be counted for a moment.
    let fourth: RawTcp | undefined;
    await until(async () => (fourth = await player(server.port, 'a4', a).catch(() => undefined)), 5000, 'a fourth player from the address');
    held.push(fourth!);
    // Past the limit the primary answers for itself, in the same shape.
    expect(await get(server.port, '/ready', a)).toMatchObject({ status: 503, body: { status: 'degraded', reasons: ['address_full'], error: 'SERVER_FULL' } });

    held.push(await player(server.port, 'b1', '127.0.0.13'), await player(server.port, 'b2', '127.0.0.13'));
    const full = await get(server.port, '/ready');
    expect(full).toMatchObject({ status: 503, body: { status: 'degraded', reasons: ['connections_full'] } });
    held.pop()!.close();
    await readyBecomes(server.port, 200, 5000);
    for (const c of held) c.close();
  });

  it('says coordinator_down while the coordinator is stopped or dead, and ready again after', async () => {
    const pid = coordinatorPid(server);
    process.kill(pid, 'SIGSTOP');
    try {
      const down = await readyBecomes(server.port, 503, 8000, undefined, 'coordinator_down');
      expect(down.body).toMatchObject({ status: 'degraded', reasons: ['coordinator_down'] });
      const health = await get(server.port, '/health');
      expect(health).toMatchObject({ status: 503, body: { status: 'degraded', ready: false, reasons: ['coordinator_down'] } });
      expect(typeof health.body.rooms).toBe('number');
      // Alive all the same: a liveness probe must not have it restarted.
      expect(await get(server.port, '/live')).toMatchObject({ status: 200, body: { live: true } });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await readyBecomes(server.port, 200, 8000);

    process.kill(coordinatorPid(server), 'SIGKILL');
    // Restarted by the primary; until it is back, nobody can join.
    // The restart can be quicker than a probe; if one lands in the gap it says why.
    const r = await readyBecomes(server.port, 503, 5000, undefined, 'coordinator_down').catch(() => null);
    if (r) expect(r.body).toMatchObject({ status: 'degraded', ready: false });
    await readyBecomes(server.port, 200, 20_000);
    const c = await player(server.port, 'after');
    c.close();
  }, 60_000);
});

it('says no_workers while its only worker does not answer, answered by the primary, and ready again after', async () => {
  const server = await startServer({ workers: 1, args: ['--hang-timeout-ms', '60000'] });
  try {
    expect((await get(server.port, '/ready')).status).toBe(200);
    const pid = workerPid(server, 0);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await readyBecomes(server.port, 503, 15_000);
      expect(r.body).toMatchObject({ status: 'degraded', reasons: ['no_workers'], workers: 0 });
      expect(await get(server.port, '/health')).toMatchObject({ status: 503, body: { status: 'degraded', ready: false, reasons: ['no_workers'] } });
      expect(await get(server.port, '/live')).toMatchObject({ status: 200, body: { live: true } });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await readyBecomes(server.port, 200, 15_000);
  } finally {
    await server.stop();
  }
}, 60_000);
