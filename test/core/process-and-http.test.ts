// The process tree is a primary, one worker per --workers and a coordinator; every HTTP endpoint
// answers; bad HTTP gets 4xx; the leaderboard survives a restart on the same data directory;
// bad configuration exits with code 2.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startServer, until, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

function childrenOf(pid: number): Array<{ pid: number; cmd: string }> {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)]).toString();
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(' ');
      return { pid: Number(l.slice(0, i)), cmd: l.slice(i + 1) };
    });
}

describe('a running server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 3 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is a primary with one worker per --workers and one coordinator', () => {
    const kids = childrenOf(server.pid);
    // Every process runs the entry script; its role is its first argument.
    expect(kids.filter((k) => k.cmd.endsWith('dist/server/main.js --shoal-role=worker'))).toHaveLength(3);
    expect(kids.filter((k) => k.cmd.endsWith('dist/server/main.js --shoal-role=coordinator'))).toHaveLength(1);
    expect(kids).toHaveLength(4);
  });

  const get = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${server.port}${p}`, init);

  it('answers /health, /rooms, /leaderboard, /metrics and /', async () => {
    const c = server.client({ transport: 'tcp', name: 'httpy', room: 'http-room' });
    await c.connect();
    const h = await get('/health');
    expect(h.status).toBe(200);
    await h.text();
    // The coordinator's figures in /health are as the primary last polled them (every 250 ms,
    // pushed to the workers), so the join shows within that.
    let health: any;
    await until(async () => (health = await (await get('/health')).json()).players === 1 || null, 2000, '/health counting the player');
    expect(health).toMatchObject({ status: 'ok', workers: 3, rooms: 1, players: 1 });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const rooms = await (await get('/rooms')).json();
    expect(rooms).toEqual([expect.objectContaining({ id: 'http-room', players: 1, capacity: 16, game: 'arena' })]);

    const lb = await get('/leaderboard');
    expect(lb.status).toBe(200);
    expect(Array.isArray(await lb.json())).toBe(true);

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toContain('text/plain');
    const text = await m.text();
    // Summed over processes: one series per transport, not one per worker.
    expect(text).toMatch(/shoal_connections_total\{transport="tcp"\} [1-9]/);
    expect(text).toMatch(/shoal_tick_duration_seconds_count [1-9]/);
    for (const p of ['primary', 'coordinator', 'worker-0', 'worker-1', 'worker-2']) {
      expect(text).toContain(`shoal_event_loop_lag_seconds{process="${p}"}`);
    }

    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    c.close();
  });

  it('answers unknown paths with 404, other methods with 405 and malformed requests with 400', async () => {
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/health', { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await get('/leaderboard?limit=abc')).status).toBe(400);
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write('GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'));
      let acc = '';
      s.on('data', (d: Buffer) => (acc += d.toString()));
      s.on('close', () => resolve(acc));
      s.on('error', () => resolve(acc));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    // The server is fine afterwards.
    expect((await get('/health')).status).toBe(200);
  });
});

it('keeps the leaderboard across a restart on the same data directory', async () => {
  const args = ['--world-width', '120', '--world-height', '120'];
  const first = await startServer({ workers: 1, args });
  let score = 0;
  try {
    const c = first.client({ transport: 'tcp', name: 'keeper', room: 'durable' });
    await c.connect();
    score = await collect(c, 3);
    // `top` reads the leaderboard the coordinator has saved.
    const top = await c.top();
    expect(top.players.find(([n]) => n === 'keeper')?.[1]).toBeGreaterThanOrEqual(3);
    c.close();
  } finally {
    expect(await first.stop()).toBe(0);
  }
  const second = await startServer({ workers: 1, args, dataDir: first.dataDir });
  try {
    const lb: Array<{ name: string; score: number }> = await (await fetch(`http://127.0.0.1:${second.port}/leaderboard`)).json();
    expect(lb.find((e) => e.name === 'keeper')?.score).toBe(score);
  } finally {
    await second.stop();
  }
});

it('refuses unknown or malformed settings with a clear message and exit code 2', async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(process.execPath, [MAIN, ...args], (error, _out, err) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, err }));
    });
  const a = await run(['--no-such-flag', '1']);
  expect(a.code).toBe(2);
  expect(a.err).toContain('unknown flag --no-such-flag');
  const b = await run(['--port', 'eighty']);
  expect(b.code).toBe(2);
  expect(b.err).toMatch(/port.*not a number/);
  const c = await run(['--workers', '0']);
  expect(c.code).toBe(2);
  expect(c.err).toMatch(/workers.*minimum/);
});

it('shuts down gracefully on SIGTERM: players get bye/shutdown and the process exits 0', async () => {
  const server = await startServer({ workers: 2 });
  const c = server.client({ transport: 'ws', name: 'leaver', room: 'sigterm' });
  await c.connect();
  const bye = c.next('bye', undefined, 10_000);
  const code = server.stop();
  expect((await bye).reason).toBe('shutdown');
  expect(await code).toBe(0);
  expect(fs.existsSync(`${server.dataDir}/world/checkpoint.bin`)).toBe(true);
});
