// Views over the real server, whole cluster: a game given as a --games module (fixtures/games/fog.mjs,
// fog of war: two teams, each sees its own units and an enemy only within sight) with players over
// TCP and WebSocket in one room. Each player receives exactly what its team may see — an enemy out
// of sight never appears in any byte it receives, full states included; in sight it appears — and
// the two teams receive different states in the same tick. The server's own encode counter
// (shoal_room_encodes_total on /metrics) grows by the number of distinct views per tick (2 teams),
// not the number of players; the same game without views encodes once a tick.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/protocol/codec.js';
import { sample, scrape } from '../helpers/metrics.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

const FOG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/games/fog.mjs');

type Team = 'red' | 'blue';
/** [id, team, x, y, energy], as fog.mjs puts a unit on the wire. */
type Unit = [string, Team, number, number, number];
interface Sync { t: 'sync'; tick: number; full: boolean; units: Unit[]; gone: string[] }

/** A player on a raw socket: every byte it receives, and every state in order. */
class Player {
  id = '';
  private readonly bytes: Buffer[] = [];
  private pings = 0;

  constructor(readonly name: string, readonly conn: RawTcp | RawWs) {
    conn.sock.on('data', (c: Buffer) => this.bytes.push(Buffer.from(c)));
  }

  /** The states received so far (left in the inbox: next() only ever takes welcomes and pongs). */
  get syncs(): Sync[] {
    return this.conn.messages.filter((m) => m.t === 'sync') as Sync[];
  }

  /** What the player pictures after applying every state in order. */
  picture(): Map<string, Unit> {
    const seen = new Map<string, Unit>();
    for (const s of this.syncs) {
      if (s.full) seen.clear();
      for (const u of s.units) seen.set(u[0], u);
      for (const id of s.gone) seen.delete(id);
    }
    return seen;
  }

  get team(): Team | undefined {
    return this.picture().get(this.id)?.[1];
  }

  /** Every byte received on the socket, framing and welcome included. */
  received(): Buffer {
    return Buffer.concat(this.bytes);
  }

  /** Answered after everything the server sent this player before handling the ping. */
  async ping(): Promise<void> {
    const id = ++this.pings;
    this.conn.send({ t: 'ping', id });
    await this.conn.next((m) => m.t === 'pong' && m.id === id, 15_000);
  }

  send(msg: Record<string, unknown>): void {
    this.conn.send(msg);
  }
}

let server: TestServer;
const everyone: Player[] = [];

beforeAll(async () => {
  // One worker: every player's socket reaches the room's worker directly, so a pong follows every
  // state sent before it on that socket.
  server = await startServer({ workers: 1, env: { SHOAL_GAMES: path.relative(process.cwd(), FOG) } });
});
afterAll(async () => {
  for (const p of everyone) p.conn.close();
  await server?.stop();
});

async function join(name: string, transport: 'tcp' | 'ws', game: string, room: string): Promise<Player> {
  const conn = transport === 'tcp' ? await RawTcp.connect(server.port) : await RawWs.connect(server.port);
  const p = new Player(name, conn);
  everyone.push(p);
  conn.send(hello(name, { game, room }));
  const w = await conn.next((m) => m.t === 'welcome', 15_000);
  expect(w.game).toBe(game);
  p.id = w.id;
  await until(() => p.picture().has(p.id), 15_000, `${name} sees itself`);
  return p;
}

const encodes = async (game: string) => sample(await scrape(server), `shoal_room_encodes_total{game="${game}"}`) ?? 0;
const ids = (units: Unit[]) => units.map((u) => u[0]).sort();
const sorted = (ps: Player[]) => ps.map((p) => p.id).sort();

/**
 * Pauses the match and lets it run again until every player has seen `ticks` more states, then
 * pauses it again: the encode counter's growth over that run beside the ticks the players saw.
 */
async function measure(game: string, players: Player[], ticks: number): Promise<{ encoded: number; ticks: number[] }> {
  const [first] = players;
  const settle = async () => {
    // The pause is handled before first's pong; then every player's pong follows each state sent to it.
    await first!.ping();
    for (const p of players) await p.ping();
  };
  first!.send({ t: 'pause', on: true });
  await settle();
  const before = await encodes(game);
  const last = Math.max(...players.flatMap((p) => p.syncs.map((s) => s.tick)));
  first!.send({ t: 'pause', on: false });
  await until(() => players.every((p) => p.syncs.filter((s) => s.tick > last).length >= ticks), 30_000, `${ticks} ticks seen by every player`);
  first!.send({ t: 'pause', on: true });
  await settle();
  const after = await encodes(game);
  const seen = players.map((p) => p.syncs.filter((s) => s.tick > last).map((s) => s.tick));
  // Every player received every state of the run, once, none of them full.
  for (const s of seen) expect(s).toEqual(seen[0]);
  for (const p of players) expect(p.syncs.filter((s) => s.tick > last && s.full)).toEqual([]);
  first!.send({ t: 'pause', on: false });
  return { encoded: after - before, ticks: seen[0]! };
}

describe('a game with a view per team (fog of war), 7 players over TCP and WebSocket in one room', () => {
  it('each player receives exactly what its team sees, the teams get different states, and a tick costs one encode per view', async () => {
    const room = 'fog-views';
    // Teams alternate as players join: red, blue, red, ... (each starting in its team's corner).
    const r1 = await join('r1', 'tcp', 'fog', room);
    const b1 = await join('b1', 'ws', 'fog', room);
    const r2 = await join('r2', 'ws', 'fog', room);
    const b2 = await join('b2', 'tcp', 'fog', room);
    const r3 = await join('r3', 'tcp', 'fog', room);
    const b3 = await join('b3', 'ws', 'fog', room);
    expect([r1, r2, r3].map((p) => p.team)).toEqual(['red', 'red', 'red']);
    expect([b1, b2, b3].map((p) => p.team)).toEqual(['blue', 'blue', 'blue']);

    // r1 and b1 walk to the middle, within sight of each other; the others stay in their corners.
    r1.send({ t: 'goto', x: 300, y: 300 });
    b1.send({ t: 'goto', x: 350, y: 300 });
    const sees = (p: Player, u: Player, x: number, y: number) => {
      const seen = p.picture().get(u.id);
      return seen !== undefined && seen[2] === x && seen[3] === y;
    };
    for (const p of [r1, r2, r3]) await until(() => sees(p, b1, 350, 300), 15_000, `${p.name} sees b1 in sight`);
    for (const p of [b1, b2, b3]) await until(() => sees(p, r1, 300, 300), 15_000, `${p.name} sees r1 in sight`);

    // A late player (red) gets a full state of the red view: its team, and b1 in sight.
    const r4 = await join('r4', 'ws', 'fog', room);
    expect(r4.team).toBe('red');
    const full = r4.syncs.find((s) => s.full)!;
    expect(ids(full.units)).toEqual(sorted([r1, r2, r3, r4, b1]));

    const red = [r1, r2, r3, r4];
    const blue = [b1, b2, b3];
    const redSees = sorted([...red, b1]);
    const blueSees = sorted([...blue, r1]);

    // The same tick: every red player received the same state, every blue player the same state,
    // and the two differ: each lists its own team and the one enemy in sight.
    await until(() => r4.syncs.length >= 3, 15_000, 'r4 past its full state');
    const tick = r4.syncs.at(-1)!.tick;
    await until(() => everyone.every((p) => p.syncs.some((s) => s.tick === tick)), 15_000, `tick ${tick} seen by every player`);
    const at = (p: Player) => p.syncs.find((s) => s.tick === tick)!;
    for (const p of red) expect(at(p)).toEqual(at(r1));
    for (const p of blue) expect(at(p)).toEqual(at(b1));
    expect(ids(at(r1).units)).toEqual(redSees);
    expect(ids(at(b1).units)).toEqual(blueSees);
    expect(at(r1)).not.toEqual(at(b1));

    // Encodes per tick, counted by the server: one per view (2), not one per player (7).
    const m = await measure('fog', everyone, 20);
    expect(m.ticks.length).toBeGreaterThanOrEqual(20);
    expect(m.encoded).toBe(2 * m.ticks.length);
    console.log(`views-encodes ${JSON.stringify({ game: 'fog', players: everyone.length, views: 2, ticks: m.ticks.length, encoded: m.encoded })}`);

    // Every player pictures exactly what its team may see ...
    for (const p of red) expect([...p.picture().keys()].sort()).toEqual(redSees);
    for (const p of blue) expect([...p.picture().keys()].sort()).toEqual(blueSees);
    // ... and an enemy out of sight never appeared in any byte it received, full states included;
    // the enemy in sight did.
    const bytesOf = (p: Player) => encode(p.id);
    for (const p of red) {
      const got = p.received();
      for (const hidden of [b2, b3]) expect(got.indexOf(bytesOf(hidden)), `${hidden.name} in ${p.name}'s bytes`).toBe(-1);
      expect(got.indexOf(bytesOf(b1))).toBeGreaterThanOrEqual(0);
    }
    for (const p of blue) {
      const got = p.received();
      for (const hidden of [r2, r3, r4]) expect(got.indexOf(bytesOf(hidden)), `${hidden.name} in ${p.name}'s bytes`).toBe(-1);
      expect(got.indexOf(bytesOf(r1))).toBeGreaterThanOrEqual(0);
    }
    for (const p of everyone) p.conn.close();
  }, 120_000);
});

describe('the same game without views, 4 players over TCP and WebSocket', () => {
  it('every player receives the same state and a tick costs one encode', async () => {
    const room = 'fog-open-1';
    const players = [
      await join('o1', 'tcp', 'fog-open', room),
      await join('o2', 'ws', 'fog-open', room),
      await join('o3', 'tcp', 'fog-open', room),
      await join('o4', 'ws', 'fog-open', room),
    ];
    // No fog: everyone sees every unit, the other team's corner included.
    for (const p of players) await until(() => p.picture().size === 4, 15_000, `${p.name} sees all 4`);
    const m = await measure('fog-open', players, 20);
    expect(m.ticks.length).toBeGreaterThanOrEqual(20);
    expect(m.encoded).toBe(m.ticks.length);
    const last = m.ticks.at(-1)!;
    const at = (p: Player) => p.syncs.find((s) => s.tick === last)!;
    for (const p of players) expect(at(p)).toEqual(at(players[0]!));
    expect(ids(at(players[0]!).units)).toEqual(sorted(players));
    console.log(`views-encodes ${JSON.stringify({ game: 'fog-open', players: players.length, views: 1, ticks: m.ticks.length, encoded: m.encoded })}`);
  }, 120_000);
});
