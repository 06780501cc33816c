// A process paused (SIGSTOP: a frozen VM, a long GC or swap stall) while another one dies. Each
// role is paused in turn for longer than half the hang timeout while another process is
// SIGKILLed, then resumed: the primary must survive sending to a child that died behind its back
// (EPIPE), must not take its own pause for its children's hang, and every player must be back
// with its score, and the server serving, within a few seconds.
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { alive, logLines, MAIN, sleep, startServer, until, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

const CLI = path.join(path.dirname(MAIN), 'console/cli.js');
const HANG_MS = 4000;
/** Longer than half the hang timeout, short enough that a paused child is not yet taken for hung. */
const PAUSE_MS = 2400;
const BACK_WITHIN_MS = 15_000;

let server: TestServer;
const players: ShoalClient[] = [];
let roomSeq = 0;

beforeAll(async () => {
  // No golden coin: one placed beside a standing player scores it 10 while a test waits for every
  // score to be what it was (a fresh-clone run failed so: 4 -> 14).
  server = await startServer({ workers: 2, args: ['--hang-timeout-ms', String(HANG_MS), '--world-width', '150', '--world-height', '150', '--coins', '20', '--golden-coin-ms', '0'] });
  await addPlayers(6);
}, 90_000);

afterAll(async () => {
  for (const c of players) c.close();
  await server?.stop();
});

function children(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split('\n').map((x) => Number(x.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

/** Two players in each of `rooms` new rooms, each scoring once and then standing still. */
async function addPlayers(rooms: number): Promise<void> {
  const added: ShoalClient[] = [];
  for (let r = 0; r < rooms; r++, roomSeq++) {
    for (let i = 0; i < 2; i++) {
      const c = server.client({ transport: (roomSeq + i) % 2 ? 'ws' : 'tcp', name: `p${roomSeq}-${i}`, room: `pause-${roomSeq}`, backoffMinMs: 50, backoffMaxMs: 500 });
      await c.connect();
      added.push(c);
    }
  }
  await Promise.all(added.map((c) => collect(c, 1, 30_000)));
  players.push(...added);
  // The score seen now is the score to keep.
  await sleep(500);
}

async function slotOfRooms(): Promise<Map<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  const rooms: Array<{ id: string; worker: number }> = Array.isArray(body) ? body : body.rooms;
  return new Map(rooms.map((r) => [r.id, r.worker]));
}

/**
 * Waits until the last process started in each role is up (a replacement from the previous round
 * included) and both workers hold players (rooms of a killed worker may have moved to the other
 * one; new rooms go to the emptier worker). Returns the pids and where each player is.
 */
async function settled(): Promise<{ coordinator: number; workers: number[]; on: (slot: number) => ShoalClient[] }> {
  const pids = await until(() => {
    const logs = logLines(server);
    const last = (pred: (l: Record<string, any>) => boolean) => logs.filter(pred).at(-1)?.pid as number | undefined;
    const coordinator = last((l) => l.role === 'coordinator' && l.msg === 'coordinator listening');
    const workers = [0, 1].map((slot) => last((l) => l.role === 'worker' && l.slot === slot && l.msg === 'worker ready'));
    // Exactly the primary's children: no replacement still starting, no dead pid.
    const kids = new Set(children(server.pid));
    const known = [coordinator, ...workers];
    if (kids.size !== 3 || !known.every((pid) => pid !== undefined && kids.has(pid))) return null;
    return { coordinator: coordinator!, workers: workers as number[] };
  }, BACK_WITHIN_MS, 'every process running');
  let slots = await slotOfRooms();
  const on = (slot: number) => players.filter((c) => slots.get(c.room!) === slot);
  for (let i = 0; i < 3 && (on(0).length === 0 || on(1).length === 0); i++) {
    await addPlayers(1);
    slots = await slotOfRooms();
  }
  expect(on(0).length).toBeGreaterThan(0);
  expect(on(1).length).toBeGreaterThan(0);
  return { ...pids, on };
}

/** Pauses one process, SIGKILLs another while it is paused, resumes the first; waits for everyone. */
async function pauseAndKill(
  paused: number, victim: number, victims: ShoalClient[], pauseMs = PAUSE_MS, whilePaused: () => void = () => {},
): Promise<{ backMs: number; logsFrom: number }> {
  const before = players.map((c) => ({ c, id: c.id, room: c.room, score: c.me!.score, reconnects: c.reconnects }));
  const logsFrom = server.logs.length;
  process.kill(paused, 'SIGSTOP');
  try {
    await sleep(200);
    process.kill(victim, 'SIGKILL');
    await sleep(200);
    whilePaused();
    await sleep(pauseMs - 400);
  } finally {
    process.kill(paused, 'SIGCONT');
  }
  const t0 = Date.now();
  const back = (b: (typeof before)[number]) =>
    b.c.status === 'joined' && b.c.id === b.id && b.c.room === b.room && b.c.me?.score === b.score && (!victims.includes(b.c) || b.c.reconnects > b.reconnects);
  try {
    await until(() => {
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`the primary exited (${server.proc.exitCode ?? server.proc.signalCode})`);
      return before.every(back);
    }, BACK_WITHIN_MS, 'every player back with its score');
  } catch (err) {
    console.error('not back:', before.filter((b) => !back(b)).map((b) => ({ id: b.id, status: b.c.status, score: b.c.me?.score, was: b.score, reconnects: b.c.reconnects })));
    console.error(server.logs.slice(logsFrom).filter((l) => !l.includes('"level":30')).slice(-20).join('\n'));
    throw err;
  }
  const backMs = Date.now() - t0;
  // And it serves: healthy over HTTP, and a new player joins.
  await until(async () => {
    const h = await fetch(`http://127.0.0.1:${server.port}/health`).then((r) => r.json(), () => null);
    return h?.status === 'ok';
  }, BACK_WITHIN_MS, '/health ok');
  const fresh = server.client({ name: 'fresh', room: 'pause-fresh' });
  await fresh.connect();
  expect(fresh.status).toBe('joined');
  fresh.close();
  return { backMs: Math.max(backMs, Date.now() - t0), logsFrom };
}

function newLogs(from: number): Array<Record<string, any>> {
  return logLines({ ...server, logs: server.logs.slice(from) });
}

it('survives a worker dying while the primary is paused (a send to it fails with EPIPE)', async () => {
  const { workers, on } = await settled();
  // Waiting for the primary meanwhile, each of which makes it send to every worker it thinks runs:
  // a metrics scrape, a console command, and a new player's hand-off.
  let scrape!: Promise<number>;
  let consoleAnswer!: Promise<{ failed: boolean; out: string }>;
  let newcomer!: ShoalClient;
  const { backMs, logsFrom } = await pauseAndKill(server.pid, workers[0]!, on(0), PAUSE_MS, () => {
    scrape = fetch(`http://127.0.0.1:${server.port}/metrics`).then((r) => r.status, () => 0);
    consoleAnswer = new Promise((resolve) => {
      execFile(process.execPath, [CLI, 'workers', '--json', '--console', server.consoleSocket], { timeout: 20_000 }, (e, out) => resolve({ failed: !!e, out }));
    });
    newcomer = server.client({ name: 'newcomer', room: 'pause-new', backoffMinMs: 50, backoffMaxMs: 500 });
    void newcomer.connect().catch(() => {});
  });
  expect(alive(server.pid)).toBe(true);
  expect(await scrape).toBe(200);
  const answer = await consoleAnswer;
  // Answered, one row per worker; the one found dead says so instead of stalling the command.
  expect(answer.failed).toBe(false);
  expect(JSON.parse(answer.out).map((w: { worker: number }) => w.worker)).toEqual([0, 1]);
  await until(() => newcomer.status === 'joined', BACK_WITHIN_MS, 'newcomer joined');
  newcomer.close();
  expect(newLogs(logsFrom).some((l) => l.code === 'WORKER_EXITED' && l.slot === 0)).toBe(true);
  console.log(`[figure] primary paused ${PAUSE_MS} ms while worker 0 (${on(0).length} players) was SIGKILLed: primary up, ${players.length} players back with their scores and serving ${backMs} ms after resume`);
}, 60_000);

it('does not blame its children for its own pause longer than the hang timeout', async () => {
  const { coordinator, workers, on } = await settled();
  const { backMs, logsFrom } = await pauseAndKill(server.pid, workers[1]!, on(1), HANG_MS + 2000);
  const logs = newLogs(logsFrom);
  // Only the process that was killed was replaced: the others answered as soon as the primary read them.
  expect(logs.filter((l) => l.code === 'WORKER_HUNG' || l.code === 'COORDINATOR_HUNG')).toEqual([]);
  expect(logs.filter((l) => l.code === 'WORKER_EXITED').map((l) => l.slot)).toEqual([1]);
  expect(alive(coordinator) && alive(workers[0]!)).toBe(true);
  console.log(`[figure] primary paused ${HANG_MS + 2000} ms (hang timeout ${HANG_MS} ms) while worker 1 was SIGKILLed: only worker 1 replaced, players back and serving ${backMs} ms after resume`);
}, 60_000);

it('recovers a worker killed while the coordinator is paused', async () => {
  const { coordinator, workers, on } = await settled();
  const { backMs } = await pauseAndKill(coordinator, workers[1]!, on(1));
  console.log(`[figure] coordinator paused ${PAUSE_MS} ms while worker 1 (${on(1).length} players) was SIGKILLed: players back and serving ${backMs} ms after resume`);
}, 60_000);

it('recovers the coordinator killed while worker 0 is paused', async () => {
  const { coordinator, workers } = await settled();
  const { backMs, logsFrom } = await pauseAndKill(workers[0]!, coordinator, []);
  expect(newLogs(logsFrom).some((l) => l.code === 'COORDINATOR_EXITED')).toBe(true);
  console.log(`[figure] worker 0 paused ${PAUSE_MS} ms while the coordinator was SIGKILLed: players back and serving ${backMs} ms after resume`);
}, 60_000);

it('recovers worker 0 killed while worker 1 is paused', async () => {
  const { workers, on } = await settled();
  const { backMs } = await pauseAndKill(workers[1]!, workers[0]!, on(0));
  console.log(`[figure] worker 1 paused ${PAUSE_MS} ms while worker 0 (${on(0).length} players) was SIGKILLed: players back and serving ${backMs} ms after resume`);
}, 60_000);
