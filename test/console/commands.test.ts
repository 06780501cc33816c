// The operator console over its real socket, against a real two-worker server: every read and
// write command, the wire form (pipelining, garbage, half-close), the audit log and the CLI.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { sample, scrape } from '../helpers/metrics.js';
import { ask, cli, rawExchange, run } from './console-helpers.js';

describe('operator console: commands', { timeout: 60_000 }, () => {
  let server: TestServer;
  let sock: string;
  const clients: ShoalClient[] = [];
  const join = async (name: string, room?: string, token?: string) => {
    const c = server.client({ transport: 'tcp', name, room, token });
    clients.push(c);
    const welcome = await c.connect();
    return { c, welcome };
  };

  beforeAll(async () => {
    server = await startServer({ workers: 2 });
    sock = server.consoleSocket;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }, 30_000);

  it('serves a socket only its owner may use (mode 0600)', () => {
    const st = fs.statSync(sock);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('answers pipelined requests in order, by id, in JSON or plain words', async () => {
    const answers = await rawExchange(
      sock,
      '{"id":1,"cmd":"help"}\n{"id":"two","cmd":"rooms","args":["--worker","0"]}\nworkers\n# a comment\n\n{"id":4,"cmd":"help","args":["kick"]}\n',
    );
    expect(answers.map((a) => a.id)).toEqual([1, 'two', null, 4]);
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(answers[0]!.data.map((r: { command: string }) => r.command.split(' ')[0])).toEqual(
      expect.arrayContaining(['status', 'kick', 'say', 'ban', 'restart', 'loglevel', 'set', 'save', 'shutdown']),
    );
    expect(answers[2]!.data).toHaveLength(2);
    expect(answers[3]!.data.usage).toBe('kick PLAYER [REASON]');
  });

  it('answers garbage with an error and keeps serving', async () => {
    const answers = await rawExchange(
      sock,
      Buffer.concat([
        Buffer.from('{"id":9,"cmd":\n{not json\n[1,2]\n{"id":10,"cmd":"status","args":{"a":1}}\n'),
        Buffer.from([0, 1, 2, 0xff, 0xfe, 10]),
        Buffer.from('frobnicate now\nroom "open quote\nrooms --worker x\nrooms --bogus\nkick\nstatus\n'),
      ]),
    );
    expect(answers.map((a) => a.error?.code ?? 'ok')).toEqual([
      'BAD_REQUEST', 'BAD_REQUEST', 'UNKNOWN_COMMAND', 'BAD_REQUEST', 'UNKNOWN_COMMAND', 'UNKNOWN_COMMAND', 'BAD_REQUEST', 'BAD_ARGS', 'BAD_ARGS', 'BAD_ARGS', 'ok',
    ]);
    expect(answers[3]!.id).toBe(10);
    // An endless line is cut off, and the console still serves the next connection.
    const long = await rawExchange(sock, 'x'.repeat(70 * 1024));
    expect(long[0]!.error!.code).toBe('LINE_TOO_LONG');
    expect((await ask(sock, 'status')).ok).toBe(true);
  });

  it('status: version, config, totals and every process with role, pid, memory (RSS, heap, young generation, external, outbound), lag', async () => {
    const s = await run(sock, 'status');
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.uptimeS).toBeGreaterThanOrEqual(0);
    expect(s.config).toMatchObject({ port: server.port, workers: 2, console: sock });
    expect(s.totals).toMatchObject({ workersRunning: 2 });
    expect(s.processes.map((p: { role: string }) => p.role)).toEqual(['primary', 'worker', 'worker', 'coordinator']);
    expect(s.processes[0].pid).toBe(server.pid);
    for (const p of s.processes) {
      expect(p.pid).toBeGreaterThan(0);
      expect(p.rssMB).toBeGreaterThan(0);
      // What of it is V8's heap (used, committed, its young generation) and what is outside it.
      expect(p.heapMB).toBeGreaterThan(0);
      expect(p.heapTotalMB).toBeGreaterThanOrEqual(p.heapMB);
      expect(p.rssMB).toBeGreaterThan(p.heapTotalMB);
      expect(p.youngMB).toBeGreaterThan(0);
      expect(p.youngMB).toBeLessThan(p.heapTotalMB);
      expect(p.externalMB).toBeGreaterThan(0);
      // A worker's connections' bytes not yet taken by the kernel (none here: nobody is behind).
      if (p.role === 'worker') expect(p.outboundKB).toBe(0);
      else expect(p.outboundKB).toBeUndefined();
      expect(typeof p.lagMs).toBe('number');
      expect(typeof p.connections).toBe('number');
    }
  });

  let alpha: { c: ShoalClient; id: string };
  let beta: { c: ShoalClient; id: string };
  let betaWorker = -1;

  it('workers, rooms, room and players show players on both workers', async () => {
    const a = await join('Ann', 'alpha');
    const b = await join('Bob', 'beta');
    alpha = { c: a.c, id: a.welcome.id };
    beta = { c: b.c, id: b.welcome.id };
    const rooms = await run(sock, 'rooms');
    const ra = rooms.find((r: { id: string }) => r.id === 'alpha');
    const rb = rooms.find((r: { id: string }) => r.id === 'beta');
    expect(ra).toMatchObject({ game: 'arena', players: 1, capacity: 16, connected: 1 });
    expect(rb).toMatchObject({ game: 'arena', players: 1, capacity: 16, connected: 1 });
    // Rooms go to the least loaded worker: the second room is on the other one.
    expect(ra.worker).not.toBe(rb.worker);
    betaWorker = rb.worker;
    expect(typeof ra.tick).toBe('number');
    expect(ra.tickP99Ms).toBeGreaterThanOrEqual(0);
    const only = await run(sock, 'rooms', '--worker', String(rb.worker));
    expect(only.map((r: { id: string }) => r.id)).toEqual(['beta']);

    const ws = await run(sock, 'workers');
    expect(ws.map((w: { worker: number }) => w.worker)).toEqual([0, 1]);
    for (const w of ws) expect(w).toMatchObject({ state: 'running', rooms: 1, players: 1, restarts: 0 });

    const room = await run(sock, 'room', 'alpha');
    expect(room).toMatchObject({ id: 'alpha', game: 'arena', worker: ra.worker, running: true });
    // status sums rooms and players by game.
    expect((await run(sock, 'status')).totals.games).toEqual({ arena: { rooms: 2, players: 2 } });
    expect(room.players).toEqual([{ id: alpha.id, name: 'Ann', transport: 'tcp', address: '127.0.0.1', score: 0, state: 'connected' }]);

    const ps = await run(sock, 'players');
    expect(ps.map((p: { id: string }) => p.id).sort()).toEqual([alpha.id, beta.id].sort());
    const pb = await run(sock, 'players', '--room', 'beta');
    expect(pb).toEqual([expect.objectContaining({ id: beta.id, name: 'Bob', room: 'beta', worker: rb.worker, state: 'connected' })]);

    expect((await ask(sock, 'room', 'nowhere')).error!.code).toBe('ROOM_NOT_FOUND');
    expect((await ask(sock, 'players', '--room', 'nowhere')).error!.code).toBe('ROOM_NOT_FOUND');
    expect((await ask(sock, 'room', 'bad id!')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'rooms', '--worker', '7')).error!.code).toBe('BAD_ARGS');
  });

  it('say reaches every player on every worker as world chat from server', async () => {
    const got = [alpha, beta].map((p) => p.c.next('chat', (m) => m.from === 'server'));
    const r = await run(sock, 'say', 'maintenance', 'at', 'noon');
    expect(r.said).toBe('maintenance at noon');
    for (const m of await Promise.all(got)) expect(m).toMatchObject({ t: 'chat', from: 'server', name: 'server', scope: 'world', text: 'maintenance at noon' });
    expect((await ask(sock, 'say')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'say', 'x'.repeat(281))).error!.code).toBe('BAD_ARGS');
  });

  it('kick: the player gets bye "kicked", is disconnected and cannot resume', async () => {
    const k = await join('Kim', 'alpha');
    const token = k.c.token!;
    const bye = k.c.next('bye');
    const closed = new Promise<void>((r) => k.c.on('status', (s) => s === 'closed' && r()));
    const res = await run(sock, 'kick', k.welcome.id, 'spamming', 'the', 'chat');
    expect(res).toMatchObject({ kicked: k.welcome.id, name: 'Kim', room: 'alpha', reason: 'spamming the chat' });
    expect((await bye).reason).toBe('kicked');
    await closed;
    expect(k.c.endReason).toBe('kicked');
    expect(k.c.reconnects).toBe(0);
    // Its seat is gone, and so is its token.
    const room = await run(sock, 'room', 'alpha');
    expect(room.players.map((p: { id: string }) => p.id)).toEqual([alpha.id]);
    await expect(join('Kim', undefined, token)).rejects.toThrow(/BAD_TOKEN/);
    expect((await ask(sock, 'kick', k.welcome.id)).error!.code).toBe('PLAYER_NOT_FOUND');
    expect((await ask(sock, 'kick')).error!.code).toBe('BAD_ARGS');
    // The audit trail has the command, its arguments and its outcome.
    const line = await server.waitForLog((l) => l.role === 'console' && l.cmd === 'kick' && l.ok === true);
    expect(line.args).toEqual([k.welcome.id, 'spamming', 'the', 'chat']);
    await server.waitForLog((l) => l.role === 'console' && l.cmd === 'kick' && l.ok === false && l.code === 'PLAYER_NOT_FOUND');
  });

  it('set changes a limit at run time within its range, and refuses anything else', async () => {
    for (const [args, code] of [
      [['maxMsgRate', '0'], 'BAD_ARGS'], [['maxMsgRate', 'fast'], 'BAD_ARGS'], [['roomCapacity', '2.5'], 'BAD_ARGS'],
      [['port', '9'], 'UNKNOWN_LIMIT'], [['maxMsgRate'], 'BAD_ARGS'],
    ] as const) {
      expect((await ask(sock, 'set', ...args)).error!.code).toBe(code);
    }
    const before = await run(sock, 'set');
    expect(before.find((l: { limit: string }) => l.limit === 'maxMsgRate')).toMatchObject({ value: 60, min: 1, max: 100000 });

    expect(await run(sock, 'set', 'maxMsgRate', '5')).toMatchObject({ limit: 'maxMsgRate', old: 60, value: 5, workers: 2 });
    // Open connections have the new rate: a burst past twice the rate is refused.
    const limited = alpha.c.next('error', (m) => m.code === 'RATE_LIMITED');
    for (let i = 0; i < 30; i++) alpha.c.send({ t: 'ping', id: 1000 + i });
    await limited;
    await run(sock, 'set', 'maxMsgRate', '60');

    // A room's capacity applies to existing rooms too: beta (1 player) is full at 1.
    expect(await run(sock, 'set', 'roomCapacity', '1')).toMatchObject({ value: 1, roomsUpdated: expect.any(Number) });
    await expect(join('Cal', 'beta')).rejects.toThrow(/ROOM_FULL/);
    expect((await run(sock, 'rooms')).find((r: { id: string }) => r.id === 'beta').capacity).toBe(1);
    await run(sock, 'set', 'roomCapacity', '16');
    expect((await run(sock, 'status')).config).toMatchObject({ roomCapacity: 16, maxMsgRate: 60 });
  });

  it('loglevel changes the level per role at run time', async () => {
    const r = await run(sock, 'loglevel', 'debug', 'worker');
    expect(r.map((x: { id: string }) => x.id)).toEqual(['worker-0', 'worker-1']);
    let levels = await run(sock, 'loglevel');
    expect(levels).toEqual([
      { id: 'primary', level: 'info' }, { id: 'worker-0', level: 'debug' }, { id: 'worker-1', level: 'debug' }, { id: 'coordinator', level: 'info' },
    ]);
    await run(sock, 'loglevel', 'warn');
    levels = await run(sock, 'loglevel');
    expect(levels.every((l: { level: string }) => l.level === 'warn')).toBe(true);
    await run(sock, 'loglevel', 'info');
    expect((await ask(sock, 'loglevel', 'loud')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'loglevel', 'info', 'dishwasher')).error!.code).toBe('BAD_ARGS');
    // Console audit lines do not depend on the level.
    await server.waitForLog((l) => l.role === 'console' && l.cmd === 'loglevel' && JSON.stringify(l.args) === '["warn"]');
  });

  it('drain: a drained worker takes no new rooms; undrain takes it back', async () => {
    const d = await run(sock, 'drain', String(betaWorker));
    expect(d).toMatchObject({ worker: betaWorker, draining: true });
    expect((await run(sock, 'workers'))[betaWorker].state).toBe('draining');
    for (const name of ['d1', 'd2', 'd3']) await join(name, `drained-${name}`);
    const rooms = await run(sock, 'rooms', '--worker', String(betaWorker));
    expect(rooms.map((r: { id: string }) => r.id)).toEqual(['beta']);
    // Its existing room still runs and takes players.
    await join('Dee', 'beta');
    expect((await ask(sock, 'drain', String(1 - betaWorker))).error!.code).toBe('LAST_WORKER');
    expect((await ask(sock, 'drain', '5')).error!.code).toBe('BAD_ARGS');
    await run(sock, 'undrain', String(betaWorker));
    expect((await run(sock, 'workers'))[betaWorker].state).toBe('running');
  });

  it('save writes a checkpoint now', async () => {
    const cp = `${server.dataDir}/world/checkpoint.bin`;
    const before = fs.existsSync(cp) ? fs.statSync(cp).mtimeMs : 0;
    expect(await run(sock, 'save')).toMatchObject({ saved: true });
    expect(fs.statSync(cp).mtimeMs).toBeGreaterThan(before);
  });

  it('ban refuses an address (and drops its players); unban lets it back', async () => {
    expect((await ask(sock, 'ban', 'not-an-ip')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'ban', '10.0.0.0/40')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'ban', '10.1.2.3', 'soon')).error!.code).toBe('BAD_ARGS');
    expect((await ask(sock, 'unban', '10.9.9.9')).error!.code).toBe('NOT_BANNED');
    await run(sock, 'ban', '10.1.2.0/24', '30');
    expect(await run(sock, 'bans')).toEqual([expect.objectContaining({ address: '10.1.2.0/24', minutesLeft: 30 })]);

    const bye = alpha.c.next('bye');
    const r = await run(sock, 'ban', '127.0.0.1');
    expect(r).toMatchObject({ banned: '127.0.0.1', until: null });
    expect(r.players).toContain(alpha.id);
    expect((await bye).reason).toBe('banned');
    // A banned address is refused at accept: the socket is closed before any byte is read or
    // written (no error message, nothing to probe), at once rather than at the hello timeout.
    const refused = join('Eve', 'alpha');
    await expect(refused).rejects.toThrow(/^connection closed before welcome \(tcp close\)$/);
    expect(await refused.catch((e) => e.code)).toBeUndefined();
    const raw = await RawTcp.connect(server.port);
    const t0 = Date.now();
    raw.send(hello('Eve', { room: 'alpha' }));
    await raw.waitClosed(3000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(raw.messages).toEqual([]);
    expect((await run(sock, 'bans')).map((b: { address: string }) => b.address)).toEqual(['10.1.2.0/24', '127.0.0.1']);

    await run(sock, 'unban', '127.0.0.1');
    await run(sock, 'unban', '10.1.2.0/24');
    expect(await run(sock, 'bans')).toEqual([]);
    const back = await join('Eve', 'alpha');
    expect(back.welcome.room).toBe('alpha');
  });

  it('hosts: with the file store, this host alone (and shoal_cluster_hosts 1); status shows no cluster', async () => {
    const rows = await run(sock, 'hosts');
    expect(rows).toEqual([expect.objectContaining({ host: `127.0.0.1:${server.port}`, advertise: `127.0.0.1:${server.port}`, heartbeatAgeMs: 0, self: true })]);
    expect((await run(sock, 'status')).cluster).toBeUndefined();
    expect(sample(await scrape(server), 'shoal_cluster_hosts')).toBe(1);
    expect((await ask(sock, 'hosts', 'extra')).error!.code).toBe('BAD_ARGS');
  });

  it('the CLI prints tables, JSON with --json, and exits non-zero on errors', async () => {
    const t = await cli(['workers', '--console', sock]);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^WORKER\s+PID\s+STATE\s+ROOMS\s+PLAYERS/);
    const j = await cli(['rooms', '--worker', '0', '--json'], undefined, { SHOAL_CONSOLE: sock });
    expect(j.code).toBe(0);
    expect(Array.isArray(JSON.parse(j.stdout))).toBe(true);
    const bad = await cli(['kick', 'p404', '--console', sock]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PLAYER_NOT_FOUND');
    const none = await cli(['status', '--console', `${server.dataDir}/nope.sock`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/cannot reach the console/);
    // A prompt fed from a pipe runs each line in turn.
    const piped = await cli(['--console', sock], 'help save\nbans\nexit\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('usage        save');
    expect(piped.stdout).toContain('(none)');
  });
});
