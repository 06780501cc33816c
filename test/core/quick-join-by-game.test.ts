// Rooms of two games on one server, over the whole cluster: a quick-join asking for a game is
// routed by the primary straight to a room of that game with a free seat (no relay between
// workers), over TCP (its hello's game) and WebSocket (/ws?game=); rooms fill up to the game's
// seats, a join naming a room goes up to its capacity, an arena hello naming a room of the other
// game is refused with WRONG_GAME; /rooms, the console and /metrics name each room's game; and a
// room adopted after its worker is killed keeps its game. The quick-joins are placed by the primary
// itself, from the coordinator's board of free seats (server/primary/net/quick-seats.ts). It runs with the second game the server
// registers (four in a row); on a build that registers only the arena it skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/load.js';
import { hostGames } from '../../server/games/index.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { run } from '../console/console-helpers.js';
import { sample, scrape } from '../helpers/metrics.js';
import { startServer, until, workerPid, type TestServer } from '../helpers/server.js';

/** The built-in game that is not the arena and sizes its own rooms, with at least two seats. */
const other = [...hostGames(loadConfig([], {}).config).values()].find((g) => g.name !== 'arena' && !g.sizedByServer && g.seats >= 2);

type Msg = Record<string, unknown>;

describe.skipIf(!other)('rooms of a second game beside the arena', () => {
  const game = other?.name ?? '';
  const seats = other?.seats ?? 0;
  const capacity = other?.capacity ?? 0;
  let server: TestServer;
  const open: Array<{ close(): void }> = [];
  beforeAll(async () => {
    server = await startServer({ workers: 2 });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  /** A TCP player whose hello is `h`; answers its welcome (or error) and the socket. */
  async function tcp(h: Msg): Promise<{ c: RawTcp; m: Msg }> {
    const c = await RawTcp.connect(server.port);
    open.push(c);
    c.send(h);
    return { c, m: (await c.next((m) => m.t === 'welcome' || m.t === 'error')) as Msg };
  }
  const relayed = async () => sample(await scrape(server), 'shoal_relayed_connections_total') ?? 0;
  /** Quick-joins the primary placed itself, from the coordinator's board of free seats (no `route` round trip). */
  const placedByPrimary = async () => sample(await scrape(server), 'shoal_connections_routed_total{by="primary"}') ?? 0;

  /** The room's entry in /rooms, once listed (answers may be httpCacheMs old). */
  const listed = (id: string) =>
    until(async () => ((await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Msg[]).find((r) => r.id === id), 10_000, `${id} listed`);

  /**
   * A room of the game named `id`, with one player, on the worker that does not run the arena
   * room `arenaWorker` runs: that worker is drained while it is made, so a quick-join routed as an
   * arena player would land on the wrong worker and need a relay to reach it.
   */
  async function seedElsewhere(id: string, arenaWorker: number): Promise<void> {
    await run(server.consoleSocket, 'drain', String(arenaWorker));
    expect((await tcp(hello(`seed-${id}`, { game, room: id }))).m).toMatchObject({ t: 'welcome', game, room: id });
    await run(server.consoleSocket, 'undrain', String(arenaWorker));
    expect((await listed(id)).worker).not.toBe(arenaWorker);
  }

  it(`quick-join fills rooms of ${game} up to its seats, routed straight to them (no relay), arena players apart`, async () => {
    const relaysBefore = await relayed();
    const placedBefore = await placedByPrimary();
    // An arena room with free seats: where a quick-join routed as an arena player goes.
    const arena = (await tcp(hello('arena-q'))).m;
    expect(arena).toMatchObject({ t: 'welcome', game: 'arena', room: expect.stringMatching(/^arena-/) });
    const arenaWorker = (await listed(arena.room as string)).worker as number;

    await seedElsewhere('duel-seed', arenaWorker);
    const rooms: string[] = [];
    for (let i = 0; i < 2 * seats - 1; i++) {
      const { m } = await tcp(hello(`q${i}`, { game }));
      expect(m).toMatchObject({ t: 'welcome', game, resumed: false });
      rooms.push(m.room as string);
    }
    // The seeded room fills to its seats first, then the next ones share a new room of the game.
    expect(rooms.slice(0, seats - 1).every((r) => r === 'duel-seed')).toBe(true);
    expect(new Set(rooms.slice(seats - 1)).size).toBe(1);
    expect(rooms[seats - 1]).toMatch(new RegExp(`^${game}-`));
    // An arena player is never put in one of them.
    expect((await tcp(hello('arena-q2'))).m).toMatchObject({ game: 'arena', room: arena.room });

    // A WebSocket saying its game in the /ws query is routed straight to a room of it too.
    await seedElsewhere('duel-ws', arenaWorker);
    const ws = await RawWs.connect(server.port, `?game=${game}`);
    open.push(ws);
    ws.send(hello('q-ws', { game }));
    expect(await ws.next((m) => m.t === 'welcome')).toMatchObject({ game, room: 'duel-ws' });
    expect(await relayed()).toBe(relaysBefore);
    // Every quick-join above (two arena, 2 * seats - 1 of the game over TCP, one over WebSocket)
    // was placed by the primary; the hellos naming a room went by the coordinator's route.
    expect((await placedByPrimary()) - placedBefore).toBe(2 * seats - 1 + 3);
  });

  it('a join naming a room goes up to the game capacity, then ROOM_FULL; an arena hello naming it gets WRONG_GAME and may say hello again', async () => {
    for (let i = 0; i < capacity; i++) expect((await tcp(hello(`n${i}`, { game, room: 'duel-by-name' }))).m).toMatchObject({ t: 'welcome', game, room: 'duel-by-name' });
    expect((await tcp(hello('n-late', { game, room: 'duel-by-name' }))).m).toMatchObject({ t: 'error', code: 'ROOM_FULL', fatal: false });
    const { c, m } = await tcp(hello('arena-n', { room: 'duel-by-name' }));
    expect(m).toMatchObject({ t: 'error', code: 'WRONG_GAME', fatal: false });
    expect(m.message).toContain(game);
    c.send(hello('arena-n'));
    expect(await c.next((x) => x.t === 'welcome')).toMatchObject({ game: 'arena' });
  });

  it('/rooms, the console and /metrics name each room game', async () => {
    // /rooms answers may be httpCacheMs old: wait for the last joins to show.
    const list = await until(async () => {
      const l = (await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Msg[];
      return l.find((r) => r.id === 'duel-by-name')?.players === capacity ? l : null;
    }, 10_000, 'duel-by-name full in /rooms');
    expect(list.find((r) => r.id === 'duel-by-name')).toMatchObject({ game, players: capacity, capacity });
    expect(new Set(list.map((r) => r.game))).toEqual(new Set(['arena', game]));
    const rows = (await run(server.consoleSocket, 'rooms')) as Msg[];
    expect(rows.find((r) => r.id === 'duel-by-name')).toMatchObject({ game, players: capacity });
    const byGame = (await run(server.consoleSocket, 'status')).totals.games as Record<string, { rooms: number; players: number }>;
    const ours = list.filter((r) => r.game === game);
    expect(byGame[game]).toEqual({ rooms: ours.length, players: ours.reduce((n, r) => n + (r.players as number), 0) });
    const text = await until(async () => {
      const t = await scrape(server);
      return sample(t, `shoal_rooms{game="${game}"}`) === ours.length ? t : null;
    }, 10_000, `shoal_rooms{game="${game}"} ${ours.length}`);
    expect(sample(text, `shoal_players{game="${game}"}`)).toBe(ours.reduce((n, r) => n + (r.players as number), 0));
    expect(sample(text, 'shoal_rooms{game="arena"}')).toBe(list.filter((r) => r.game === 'arena').length);
  });

  it('a room whose worker is killed is adopted with its game: its players resume into it', async () => {
    const { c, m } = await tcp(hello('k1', { game, room: 'duel-kill' }));
    const room = await listed('duel-kill');
    process.kill(workerPid(server, room.worker as number), 'SIGKILL');
    await c.waitClosed(10_000);
    const back = await until(async () => {
      const r = await tcp(hello('k1', { game, token: m.token }));
      return r.m.t === 'welcome' ? r.m : null;
    }, 30_000, 'a resume into the adopted room');
    expect(back).toMatchObject({ room: 'duel-kill', game, resumed: true, id: m.id });
  });
});
