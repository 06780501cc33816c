// The arena's rules, driven directly (no server): a player moves at playerSpeed / hz a tick in
// the direction of its input (never faster), stays on the field, takes a coin within
// pickupRadius and scores its value (moving, arriving on it, or standing where one is placed),
// taken coins come back at once, a frozen player does not move, the coins-taken counter reaches the world, and the welcome's field is the arena's size.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerMessage, StateMsg } from '../../../shared/protocol/messages.js';
import type { RoomContext, World } from '../../../server/game-api/index.js';
import { arena, type ArenaSnapshot } from '../../../server/games/arena/arena.js';
import type { ArenaSettings } from '../../../server/games/arena/settings.js';
import { ARENA_KEYS } from '../../../server/games/arena/world-keys.js';

const HZ = 20;
const SETTINGS: ArenaSettings = {
  fieldWidth: 1000, fieldHeight: 800, playerSpeed: 200, pickupRadius: 20, coins: 1, goldenCoinMs: 0,
};
/** Units a tick at full input. */
const STEP = SETTINGS.playerSpeed / HZ;

function setUp(snap: Partial<ArenaSnapshot> = {}, settings: ArenaSettings = SETTINGS) {
  const broadcasts: StateMsg[] = [];
  const sent: Array<[string, ServerMessage]> = [];
  const scores: Array<[string, number]> = [];
  const incrs: Array<[string, number]> = [];
  // The arena's world use here: the coins-taken counter (golden coins are off, goldenCoinMs 0).
  const world = { incr: (name: string, by = 1) => (incrs.push([name, by]), Promise.resolve(by)) } as unknown as World;
  const ctx: RoomContext = {
    id: 'arena-test', hz: HZ, world,
    broadcast: (m) => void broadcasts.push(m as StateMsg),
    send: (id, m) => void sent.push([id, m]),
    scoreChanged: (id, s) => void scores.push([id, s]),
  };
  // Coins placed at random land at (990, 792), far from every player these tests seat, unless a
  // test says otherwise.
  vi.spyOn(Math, 'random').mockReturnValue(0.99);
  // A coin far from everyone, so none is placed at random when the room is made.
  const full: ArenaSnapshot = { tick: 0, nextCoin: 100, players: [], coins: [[1, 0, 800, 1]], ...snap };
  const room = arena.create(ctx, settings, full);
  return { room, broadcasts, sent, scores, incrs };
}

/** Where the room holds a player (the snapshot keeps two decimals). */
function at(room: ReturnType<typeof setUp>['room'], id: string): [number, number] {
  const p = (room.snapshot() as ArenaSnapshot).players.find((q) => q[0] === id)!;
  return [p[1], p[2]];
}

const input = (dx: number, dy: number) => ({ t: 'input' as const, seq: 1, dx, dy });
const seatAt = (id: string, x: number, y: number): Partial<ArenaSnapshot> => ({ players: [[id, x, y, 0]] });

describe('arena rules', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('moves a player playerSpeed / hz a tick in its input direction, never faster than full speed', () => {
    const { room } = setUp(seatAt('a', 500, 400));
    room.join({ id: 'a', name: 'a', score: 0 });
    room.message('a', input(1, 0));
    room.tick(1);
    expect(at(room, 'a')).toEqual([500 + STEP, 400]);
    // Half input, half speed.
    room.message('a', input(0, -0.5));
    room.tick(2);
    expect(at(room, 'a')).toEqual([500 + STEP, 400 - STEP / 2]);
    // A diagonal at full input moves STEP in all, not STEP on each axis.
    room.message('a', input(1, 1));
    room.tick(3);
    const [x, y] = at(room, 'a');
    expect(Math.hypot(x - (500 + STEP), y - (400 - STEP / 2))).toBeCloseTo(STEP, 1);
    expect(x - (500 + STEP)).toBeCloseTo(STEP / Math.SQRT2, 1);
    // No input, no movement.
    room.message('a', input(0, 0));
    room.tick(4);
    expect(at(room, 'a')).toEqual([x, y]);
  });

  it('keeps players on the field: [0, fieldWidth] x [0, fieldHeight]', () => {
    const { room } = setUp(seatAt('a', SETTINGS.fieldWidth - 3, 4));
    room.join({ id: 'a', name: 'a', score: 0 });
    room.message('a', input(1, -1));
    for (let t = 1; t <= 5; t++) room.tick(t);
    expect(at(room, 'a')).toEqual([SETTINGS.fieldWidth, 0]);
    room.message('a', input(-1, 1));
    for (let t = 6; t <= 200; t++) room.tick(t);
    expect(at(room, 'a')).toEqual([0, SETTINGS.fieldHeight]);
  });

  it('takes a coin within pickupRadius, scores its value, and a new coin comes at once', () => {
    // Coin 1 is 30 units right of the player: one step (10) brings it to exactly pickupRadius.
    const { room, broadcasts, scores } = setUp({ players: [['a', 500, 400, 0]], coins: [[1, 530, 400, 1]] });
    room.join({ id: 'a', name: 'a', score: 0 });
    room.message('a', input(1, 0));
    room.tick(1); // at 510: 20 away, exactly the radius: taken
    expect(scores).toEqual([['a', 1]]);
    const d1 = broadcasts.at(-1)!;
    expect(d1.taken).toEqual([1]);
    // The field keeps `coins` coins: the replacement is announced in the same state.
    expect(d1.coins).toHaveLength(1);
    expect(d1.coins[0]![0]).toBe(100);
    const snap = room.snapshot() as ArenaSnapshot;
    expect(snap.coins.map((c) => c[0])).toEqual([100]);
    expect(snap.players[0]![3]).toBe(1);
  });

  it('does not take a coin just outside pickupRadius', () => {
    const { room, scores } = setUp({ players: [['a', 500, 400, 0]], coins: [[1, 531, 400, 1]] });
    room.join({ id: 'a', name: 'a', score: 0 });
    room.message('a', input(1, 0));
    room.tick(1); // 21 away
    expect(scores).toEqual([]);
    room.tick(2); // 11 away
    expect(scores).toEqual([['a', 1]]);
  });

  it('a player who arrives on a coin takes it without moving (its client sees nowhere to steer)', () => {
    const { room, scores, broadcasts } = setUp({ players: [['a', 500.4, 400.3, 0]], coins: [[1, 500, 400, 1]] });
    room.join({ id: 'a', name: 'a', score: 0 });
    room.tick(1);
    expect(scores).toEqual([['a', 1]]);
    expect(broadcasts.at(-1)!.taken).toEqual([1]);
    expect(at(room, 'a')).toEqual([500.4, 400.3]);
    // Frozen (dropped), a player takes nothing placed at its feet; resumed there, it takes it.
    const { room: r2, scores: s2 } = setUp({ players: [['b', 700, 300, 5]] });
    r2.join({ id: 'b', name: 'b', score: 5 });
    r2.tick(1);
    r2.setFrozen('b', true);
    vi.spyOn(Math, 'random').mockReturnValueOnce(0.7).mockReturnValueOnce(0.375); // (700, 300)
    (r2 as unknown as { addCoin(v: number): number }).addCoin(1);
    r2.tick(2);
    expect(s2).toEqual([]);
    r2.setFrozen('b', false);
    r2.tick(3);
    expect(s2).toEqual([['b', 6]]);
  });

  it('a coin placed within reach of a standing player goes to it at once; a frozen player takes none', () => {
    // b takes the coin next to it; its replacement lands (random 0.5) at (500, 400), on a.
    const { room, scores, broadcasts } = setUp({ players: [['a', 505, 400, 0], ['b', 100, 100, 0], ['c', 495, 400, 0]], coins: [[1, 105, 100, 1]] });
    room.join({ id: 'a', name: 'a', score: 0 });
    room.join({ id: 'b', name: 'b', score: 0 });
    room.join({ id: 'c', name: 'c', score: 0 });
    room.setFrozen('a', true);
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    room.tick(1);
    // b arrived on coin 1; the replacement (id 100) went to c, who stands within reach (a is frozen).
    expect(scores).toEqual([['b', 1], ['c', 1]]);
    const d = broadcasts.at(-1)!;
    expect(d.coins.map((c) => c[0])).toContain(100);
    expect(d.taken).toEqual([1, 100]);
    expect(d.players.find((p) => p[0] === 'c')![3]).toBe(1);
    // Its own replacement waits for the next tick: one coin a tick, however large the radius.
    expect((room.snapshot() as ArenaSnapshot).coins.map((c) => c[0])).toEqual([]);
    room.tick(2);
    expect(scores).toHaveLength(3);
  });

  it('a golden coin scores its value (10), and coins worth more than 1 carry it on the wire', () => {
    const { room, scores, broadcasts } = setUp({ players: [['a', 500, 400, 7]], coins: [[1, 505, 400, 10]] });
    room.join({ id: 'a', name: 'a', score: 7 });
    room.message('a', input(1, 0));
    room.tick(1);
    expect(scores).toEqual([['a', 17]]);
    // A golden coin placed by world code is announced with its value as a 4th element.
    vi.spyOn(Math, 'random').mockReturnValue(0.1); // lands at (100, 80), far from the player
    const id = (room as unknown as { addCoin(v: number): number }).addCoin(10);
    room.tick(2);
    expect(broadcasts.at(-1)!.coins).toContainEqual([id, 100, 80, 10]);
  });

  it('counts coins taken into the world counter arena.coinsTaken', () => {
    const { room, incrs } = setUp({ players: [['a', 500, 400, 0]], coins: [[1, 505, 400, 1]] });
    room.join({ id: 'a', name: 'a', score: 0 });
    room.message('a', input(1, 0));
    room.tick(1);
    expect(incrs).toEqual([[ARENA_KEYS.coinsTaken, 1]]);
  });

  it('a frozen player ignores input and stops; thawed, it gets the full state again', () => {
    const { room, sent, broadcasts } = setUp(seatAt('a', 500, 400));
    room.join({ id: 'a', name: 'a', score: 0 });
    room.tick(1);
    // Just seated: the full state to it, the delta to everyone else.
    expect(sent.map(([id, m]) => [id, m.t, (m as StateMsg).full])).toEqual([['a', 'state', true]]);
    room.message('a', input(1, 0));
    room.setFrozen('a', true);
    room.message('a', input(1, 0));
    room.tick(2);
    expect(at(room, 'a')).toEqual([500, 400]);
    room.setFrozen('a', false);
    room.tick(3);
    expect(sent).toHaveLength(2);
    expect((sent[1]![1] as StateMsg).full).toBe(true);
    expect(broadcasts).toHaveLength(3);
  });

  it('a player who leaves is listed as gone once', () => {
    const { room, broadcasts } = setUp(seatAt('a', 1, 1));
    room.join({ id: 'a', name: 'a', score: 0 });
    room.tick(1);
    room.leave('a');
    room.tick(2);
    room.tick(3);
    expect(broadcasts[1]!.gone).toEqual(['a']);
    expect(broadcasts[2]!.gone).toEqual([]);
    expect(room.size).toBe(0);
  });

  it('tops the field up to `coins` coins when made, and describes its field for the welcome', () => {
    const { room } = setUp({ coins: [] }, { ...SETTINGS, coins: 7 });
    expect((room.snapshot() as ArenaSnapshot).coins).toHaveLength(7);
    expect(arena.field(SETTINGS)).toEqual({ w: 1000, h: 800 });
  });
});
