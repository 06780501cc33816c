// `deploy` over a real cluster: a server runs the arena and a --games module's game `hits`
// (test/fixtures/deploy/), 200 players play it, the module file is replaced by version 2 (a new
// snapshot shape with migrate) and `deploy` is run through the console client. Every player must
// come through it by itself — same id, resumed, never ended — with every point it was ever shown,
// and the rooms must speak v2 afterwards (their state migrated). Then version 3, whose migrate
// refuses, must be refused at the pre-flight with each room's reason, no worker replaced and play
// undisturbed.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { startServer, until, type TestServer } from '../helpers/server.js';
import { CLI, run } from './console-helpers.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/deploy');
const PLAYERS = 200;
const ARENA_PLAYERS = 4;

/** What one `hits` player saw. */
interface Seen {
  c: ShoalClient;
  id: string;
  /** Its own points in every `hits` message, in order. */
  shown: number[];
  /** The last `hits` message. */
  last: Record<string, unknown> | null;
  statuses: string[];
  /** ms from each bye "restart" to the welcome that followed. */
  resumes: number[];
  byeAt: number | null;
}

function ownPoints(m: Record<string, unknown>, id: string): number | undefined {
  if (Array.isArray(m.scores)) return (m.scores as Array<{ id: string; points: number }>).find((s) => s.id === id)?.points;
  return (m.counts as Record<string, number> | undefined)?.[id];
}

/** Runs the console client (dist/server/console/cli.js) with --json; resolves with its exit code and parsed output. */
function consoleClient(socket: string, ...words: string[]): Promise<{ code: number; out: any; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--console', socket, '--json', ...words], { timeout: 240_000 }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      let out: unknown = stdout;
      try {
        out = JSON.parse(stdout);
      } catch {
        // left as text
      }
      resolve({ code, out, ms: Date.now() - t0 });
    });
  });
}

describe('operator console: deploy', { timeout: 300_000 }, () => {
  let server: TestServer;
  let dir: string;
  let gamesFile: string;
  const hits: Seen[] = [];
  const arena: ShoalClient[] = [];
  let playing: NodeJS.Timeout | undefined;

  /** The module file every process of the server loads: re-exports one fixture version. */
  const useVersion = (v: 1 | 2 | 3) =>
    fs.writeFileSync(gamesFile, `export { default } from ${JSON.stringify(pathToFileURL(path.join(FIXTURES, `hits-v${v}.mjs`)).href)};\n`);

  /** Every 100 ms a few random players send an input (one point each): about 40 a second in all. */
  const play = () => {
    playing = setInterval(() => {
      for (let i = 0; i < 4; i++) {
        const s = hits[Math.floor(Math.random() * hits.length)]!;
        if (s.c.status === 'joined') s.c.input(1, 0);
      }
    }, 100);
  };
  const stopPlaying = () => clearInterval(playing);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-deploy-'));
    gamesFile = path.join(dir, 'games.mjs');
    useVersion(1);
    // Waiting is generous (the machine may be loaded); what is asserted is exact.
    server = await startServer({ workers: 2, args: ['--games', gamesFile, '--deploy-resume-timeout-ms', '60000'] });
    for (let i = 0; i < PLAYERS; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, PLAYERS - i) }, async (_, k) => {
        const c = server.client({ transport: (i + k) % 4 === 0 ? 'ws' : 'tcp', name: `p${i + k}`, game: 'hits' });
        const s: Seen = { c, id: '', shown: [], last: null, statuses: [], resumes: [], byeAt: null };
        c.on('status', (st) => s.statuses.push(st));
        c.on('bye', (m) => {
          if (m.reason === 'restart') s.byeAt = performance.now();
        });
        c.on('welcome', () => {
          if (s.byeAt !== null) s.resumes.push(performance.now() - s.byeAt);
          s.byeAt = null;
        });
        c.on('message', (m) => {
          if (m.t !== 'hits') return;
          const mm = m as unknown as Record<string, unknown>;
          s.last = mm;
          const p = ownPoints(mm, c.id);
          if (p !== undefined) s.shown.push(p);
        });
        await c.connect();
        s.id = c.id;
        hits.push(s);
      }));
    }
    for (let i = 0; i < ARENA_PLAYERS; i++) {
      const c = server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `a${i}`, room: i % 2 ? 'reef' : 'kelp' });
      await c.connect();
      arena.push(c);
    }
  }, 120_000);

  afterAll(async () => {
    stopPlaying();
    for (const s of hits) s.c.close();
    for (const c of arena) c.close();
    await server?.stop();
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('deploys version 2 under 200 playing players: none dropped, no point lost, every room migrated', async () => {
    const sock = server.consoleSocket;
    const mine = new Set(hits.map((s) => s.c.room));
    const hitsRooms = (await run(sock, 'rooms')).filter((r: { id: string }) => mine.has(r.id));
    expect(hitsRooms.length).toBeGreaterThanOrEqual(PLAYERS / 16);
    expect(new Set(hitsRooms.map((r: { worker: number }) => r.worker)).size).toBe(2);
    play();
    await until(() => hits.filter((s) => s.shown.some((p) => p > 0)).length >= PLAYERS / 2, 30_000, 'points scored');
    const arenaBefore = new Map(arena.map((c) => [c.id, c.me?.score ?? 0]));
    const pids = (await run(sock, 'workers')).map((w: { pid: number }) => w.pid);

    // npm run build would put the new code on disk; here the games module file is the new code.
    useVersion(2);
    const { code, out: report, ms } = await consoleClient(sock, 'deploy');
    expect(code, JSON.stringify(report)).toBe(0);
    // Play on a little on version 2, then stop so every score settles.
    await new Promise((r) => setTimeout(r, 1000));
    stopPlaying();

    expect(report.deployed).toBe(true);
    expect(report.games).toContainEqual({ name: 'hits', version: 2 });
    expect(report.workers.map((w: { worker: number }) => w.worker)).toEqual([0, 1]);
    let migrated = 0;
    for (const w of report.workers) {
      expect(pids).toContain(w.oldPid);
      expect(pids).not.toContain(w.newPid);
      expect(w.missing).toEqual([]);
      expect(w.resumed).toBe(w.players);
      expect(w.restored).toBe(w.rooms);
      migrated += w.migrated;
    }
    expect(migrated).toBeGreaterThanOrEqual(hitsRooms.length);
    expect(report.workers.reduce((n: number, w: { players: number }) => n + w.players, 0)).toBe(PLAYERS + ARENA_PLAYERS);

    // 0 dropped: every player is the one it was, came back by itself, and its session never ended.
    for (const s of hits) {
      expect(s.c.status, s.id).toBe('joined');
      expect(s.c.id).toBe(s.id);
      expect(s.c.reconnects).toBeGreaterThanOrEqual(1);
      expect(s.statuses).not.toContain('closed');
    }
    for (const c of arena) {
      expect(c.status).toBe('joined');
      expect(c.reconnects).toBeGreaterThanOrEqual(1);
    }

    // The rooms speak version 2 (their state migrated), and 0 points lost: no player was ever shown
    // fewer points than before, and what it is shown last is its score in the world.
    await until(() => hits.every((s) => s.last?.v === 2), 30_000, 'v2 state in every room');
    await new Promise((r) => setTimeout(r, 1500));
    const seats = new Map((await run(sock, 'players')).map((p: { id: string; score: number }) => [p.id, p.score]));
    let points = 0;
    for (const s of hits) {
      expect(Array.isArray(s.last!.scores), JSON.stringify(s.last)).toBe(true);
      expect(s.last!.counts).toBeUndefined();
      for (let i = 1; i < s.shown.length; i++) expect(s.shown[i], `${s.id} shown ${s.shown.join(',')}`).toBeGreaterThanOrEqual(s.shown[i - 1]!);
      const now = ownPoints(s.last!, s.id)!;
      expect(now).toBe(Math.max(...s.shown));
      expect(seats.get(s.id)).toBe(now);
      points += now;
    }
    expect(points).toBeGreaterThan(0);
    for (const c of arena) expect(seats.get(c.id)).toBeGreaterThanOrEqual(arenaBefore.get(c.id)!);

    const slowest = Math.max(...hits.flatMap((s) => s.resumes));
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(`[figure] deploy v1->v2, 2 workers, ${PLAYERS + ARENA_PLAYERS} players (${points} points kept): ${report.ms} ms (console client ${ms} ms); load ${load}`);
    console.log(`[figure] slowest resume during the deploy: ${Math.round(slowest)} ms over ${hits.length} players; load ${load}`);
  });

  it('refuses a build whose games do not load, before any worker is touched', async () => {
    const sock = server.consoleSocket;
    const pids = (await run(sock, 'workers')).map((w: { pid: number }) => w.pid);
    fs.writeFileSync(gamesFile, 'export default [ { name: "hits", \n');
    try {
      const { code, out } = await consoleClient(sock, 'deploy');
      expect(code).toBe(1);
      expect(out.error.code).toBe('DEPLOY_CHECK_FAILED');
      expect(out.error.message).toContain('the new build cannot load its games');
      expect(out.error.message).toContain(gamesFile);
    } finally {
      useVersion(2);
    }
    expect((await run(sock, 'workers')).map((w: { pid: number }) => w.pid)).toEqual(pids);
    for (const s of hits) expect(s.c.status).toBe('joined');
  });

  it('refuses a version whose migrate throws: each room named, no worker replaced, play undisturbed', async () => {
    const sock = server.consoleSocket;
    const pids = (await run(sock, 'workers')).map((w: { pid: number }) => w.pid);
    const reconnects = hits.map((s) => s.c.reconnects);
    const hitsRooms = [...new Set(hits.map((s) => s.c.room!))].sort();
    play();
    useVersion(3);
    try {
      const { code, out } = await consoleClient(sock, 'deploy');
      expect(code).toBe(1);
      expect(out.error.code).toBe('MIGRATION_REFUSED');
      expect(out.error.message).toContain('no worker was replaced');
      expect(out.error.message).toContain(`cannot read ${hitsRooms.length} of`);
      for (const id of hitsRooms.slice(0, 10)) expect(out.error.message).toContain(`room ${id} on worker`);
      expect(out.error.message).toContain('hits v3 cannot read version 2 snapshots');
    } finally {
      // The old build back on disk, as an operator would put it.
      useVersion(2);
    }
    const before = hits.map((s) => Math.max(0, ...s.shown));
    await until(() => hits.filter((s, i) => Math.max(0, ...s.shown) > before[i]!).length >= 10, 20_000, 'play goes on');
    stopPlaying();
    expect((await run(sock, 'workers')).map((w: { pid: number }) => w.pid)).toEqual(pids);
    expect(hits.map((s) => s.c.reconnects)).toEqual(reconnects);
    for (const s of hits) {
      expect(s.c.status).toBe('joined');
      expect(s.last!.v).toBe(2);
    }
  });
});
