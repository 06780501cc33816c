// The arena's own per-tick cost, two builds side by side in one process: the built arena module of
// each checkout (its dist/) runs the same rooms, players and inputs from the same seeds, and each
// state it sends is encoded with the protocol codec as the host does; no sockets, so what is timed
// is the game's tick and its encodes, which a loaded machine's whole-server figures (lean-ab) bury
// in noise. The two builds tick in turn (the order flips every tick); reports CPU µs per room tick
// per build and the median of the per-round new/old ratios, and checks both delivered the same bytes.
//   node dist/loadtest/arena-tick-ab.js --old /path/to/old/checkout [--rooms 63 --players 16 --ticks 200 --rounds 7]
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encode } from '../shared/protocol/codec.js';
import { describeMachine, machine } from './machine.js';
import { runToExit } from './processes.js';
import { writeResult } from './report/write.js';
import { median, pairedRatio, ratio, type ScenarioResult } from './result.js';
import { seededRandom } from './seeded-random.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** What this tool uses of a built game module (typed here: tools import nothing from server/). */
interface RoomLike {
  join(seat: { id: string; name: string; score: number }): void;
  message(playerId: string, msg: { t: 'input'; seq: number; dx: number; dy: number }): void;
  tick?(tick: number): void;
}
interface GameLike {
  create(ctx: unknown, settings: unknown, snapshot?: unknown): RoomLike;
}

type Side = 'old' | 'new';

/** The arena's default rules (server/config/schema.ts), golden coins off (no world calls). */
const SETTINGS = { fieldWidth: 1000, fieldHeight: 1000, playerSpeed: 200, pickupRadius: 20, coins: 10, goldenCoinMs: 0 };
const HZ = 20;

interface Run { cpuUs: number; roomTicks: number; deliveredBytes: number; encodes: number }

/** One build's rooms, players and random sources; `step` runs one tick of every room. */
class Bench {
  readonly run: Run = { cpuUs: 0, roomTicks: 0, deliveredBytes: 0, encodes: 0 };
  private readonly random: () => number;
  private readonly pick: () => number;
  private readonly rooms: Array<{ room: RoomLike; ids: string[] }> = [];

  constructor(game: GameLike, rooms: number, players: number, seed: number) {
    this.random = seededRandom(seed);
    this.pick = seededRandom(seed ^ 0x5eed);
    const world = { incr: (_n: string, by = 1) => Promise.resolve(by) };
    const run = this.run;
    this.within(() => {
      for (let r = 0; r < rooms; r++) {
        const ids = Array.from({ length: players }, (_, i) => `r${r}p${i}`);
        const ctx = {
          id: `arena-${r}`, game: 'arena', hz: HZ, world,
          broadcast: (msg: unknown, skip?: ReadonlySet<string>) => {
            const n = encode(msg).length;
            run.encodes++;
            for (const id of ids) if (!skip?.has(id)) run.deliveredBytes += n;
          },
          send: (_id: string, msg: unknown) => {
            run.encodes++;
            run.deliveredBytes += encode(msg).length;
          },
          sendMany: (to: Iterable<string>, msg: unknown) => {
            const n = encode(msg).length;
            run.encodes++;
            for (const _ of to) run.deliveredBytes += n;
          },
          scoreChanged: () => {},
        };
        const room = game.create(ctx, SETTINGS);
        for (const id of ids) room.join({ id, name: id, score: 0 });
        this.rooms.push({ room, ids });
      }
    });
  }

  /** Runs fn with Math.random drawn from this build's own generator (the arena places coins with it). */
  private within(fn: () => void): void {
    const saved = Math.random;
    Math.random = this.random;
    try {
      fn();
    } finally {
      Math.random = saved;
    }
  }

  /** One tick of every room (input every other tick), its CPU added to the run. */
  step(t: number): void {
    this.within(() => {
      const c0 = process.cpuUsage();
      for (const { room, ids } of this.rooms) {
        if (t % 2 === 0) {
          for (const id of ids) room.message(id, { t: 'input', seq: t, dx: this.pick() * 2 - 1, dy: this.pick() * 2 - 1 });
        }
        room.tick!(t);
      }
      const c = process.cpuUsage(c0);
      this.run.cpuUs += c.user + c.system;
      this.run.roomTicks += this.rooms.length;
    });
  }
}

/** A round: both builds' rooms from the same seed, ticked in turn (the order flips every tick), so both see the same background load. */
function runRound(games: Record<Side, GameLike>, rooms: number, players: number, ticks: number, seed: number): Record<Side, Run> {
  const benches: Record<Side, Bench> = {
    old: new Bench(games.old, rooms, players, seed),
    new: new Bench(games.new, rooms, players, seed),
  };
  for (let t = 1; t <= ticks; t++) {
    const order: Side[] = t % 2 ? ['old', 'new'] : ['new', 'old'];
    for (const side of order) benches[side].step(t);
  }
  return { old: benches.old.run, new: benches.new.run };
}

async function load(dir: string): Promise<GameLike> {
  const file = path.join(path.resolve(dir), 'dist', 'server', 'games', 'arena', 'arena.js');
  const mod = (await import(pathToFileURL(file).href)) as { arena: GameLike };
  return mod.arena;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      old: { type: 'string' },
      new: { type: 'string', default: REPO },
      rooms: { type: 'string', default: '63' },
      players: { type: 'string', default: '16' },
      ticks: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '7' },
      label: { type: 'string', default: 'arena-tick-ab' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      'no-write': { type: 'boolean', default: false },
    },
  });
  if (!values.old) throw new Error('--old must name the other checkout (its dist/ built)');
  const games: Record<Side, GameLike> = { old: await load(values.old), new: await load(values.new) };
  const [rooms, players, ticks, rounds] = [values.rooms, values.players, values.ticks, values.rounds].map(Number) as [number, number, number, number];
  const m = machine();
  console.log(`arena-tick-ab: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  // Warm both builds' code (JIT) before anything is timed.
  runRound(games, rooms, players, Math.min(ticks, 50), 1);
  const rows: Array<Run & { round: number; side: Side; usPerRoomTick: number; load1: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    const load1 = os.loadavg()[0]!;
    const both = runRound(games, rooms, players, ticks, 1000 + round);
    for (const side of ['old', 'new'] as Side[]) {
      const r = both[side];
      const usPerRoomTick = Math.round((r.cpuUs / r.roomTicks) * 100) / 100;
      rows.push({ ...r, round, side, usPerRoomTick, load1 });
      console.log(`round ${round} ${side}: ${usPerRoomTick} µs CPU a room tick (${r.encodes} encodes, ${r.deliveredBytes} bytes delivered), load ${load1.toFixed(2)}`);
    }
  }
  const of = (side: Side) => rows.filter((r) => r.side === side).sort((a, b) => a.round - b.round);
  const sameBytes = of('old').every((r, i) => r.deliveredBytes === of('new')[i]!.deliveredBytes);
  const result: ScenarioResult = {
    scenario: values.label,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/arena-tick-ab.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('old: CPU µs a room tick (median)', median(of('old').map((r) => r.usPerRoomTick))),
      ratio('new: CPU µs a room tick (median)', median(of('new').map((r) => r.usPerRoomTick))),
      ratio('new/old CPU a room tick (median of per-round ratios)', pairedRatio(of('new').map((r) => r.usPerRoomTick), of('old').map((r) => r.usPerRoomTick))),
      ratio('old: encodes a round', median(of('old').map((r) => r.encodes))),
      ratio('new: encodes a round', median(of('new').map((r) => r.encodes))),
      ratio('load average (1 min) over the runs, median', median(rows.map((r) => r.load1))),
    ],
    rows: rows.map((r) => ({
      round: r.round, side: r.side, usPerRoomTick: r.usPerRoomTick, cpuMs: Math.round(r.cpuUs / 1000),
      roomTicks: r.roomTicks, encodes: r.encodes, deliveredBytes: r.deliveredBytes, load1: Math.round(r.load1 * 100) / 100,
    })),
    notes: [
      `old: ${path.resolve(values.old)}; new: ${path.resolve(values.new)} (each its dist/server/games/arena/arena.js).`,
      `${rooms} rooms of ${players} players, ${ticks} ticks a round, input every other tick (10 Hz at ${HZ} Hz), the arena's default rules, golden coins off; ` +
      'each state encoded with shared/protocol/codec.ts as the host does (no sockets). Same seeds for both builds in a round.',
      `Delivered bytes (encoded size x recipients) identical between the builds in every round: ${sameBytes ? 'yes' : 'NO'}.`,
      'CPU: process.cpuUsage (user+system) around each build\'s tick of all its rooms; within a round the builds tick in turn, ' +
      'the order flipping every tick, so both see the same background load; both warmed first (50 ticks).',
    ],
  };
  if (!sameBytes) console.log('WARNING: the builds delivered different bytes');
  if (!values['no-write']) console.log(`wrote ${writeResult(values.out, result).json}`);
}

runToExit(main);
