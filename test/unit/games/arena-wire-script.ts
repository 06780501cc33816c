// A scripted arena session whose output is the bytes each player would receive: joins, inputs,
// coins taken (moving, arriving, placed at a standing player's feet), a golden coin, a freeze and
// a thaw, a leave, a rejoin, and a second room rebuilt from the first one's snapshot. Randomness
// (the arena's Math.random and the script's choices) comes from two seeded generators, so the same
// arena code gives the same bytes every run. arena-wire.test.ts compares them with the bytes main's
// arena gave before the arena moved onto the state helper (fixtures/arena-state-bytes.json).
import { encode } from '../../../shared/protocol/codec.js';
import type { ServerMessage } from '../../../shared/protocol/messages.js';
import type { Game, Room, RoomContext, World } from '../../../server/game-api/index.js';
import { seededRandom } from '../../../loadtest/seeded-random.js';

export interface ArenaSettingsLike {
  fieldWidth: number; fieldHeight: number; playerSpeed: number; pickupRadius: number; coins: number; goldenCoinMs: number;
}

interface Snap {
  players: Array<[string, number, number, number]>;
  coins: Array<[number, number, number, number]>;
}

/** Per player, every message it received, as hex, in order. */
export type Streams = Record<string, string[]>;

const SETTINGS: ArenaSettingsLike = {
  fieldWidth: 300, fieldHeight: 200, playerSpeed: 200, pickupRadius: 25, coins: 12, goldenCoinMs: 0,
};
const HZ = 20;

/** A host as RoomHost is to the arena: connected players receive, each broadcast/send/sendMany encodes once. */
class RecordingHost {
  readonly streams: Streams = {};
  readonly connected = new Set<string>();
  encodes = 0;

  private push(id: string, hex: string): void {
    (this.streams[id] ??= []).push(hex);
  }

  context(world: World): RoomContext {
    const ctx = {
      id: 'arena-wire', hz: HZ, world,
      broadcast: (msg: ServerMessage, skip?: ReadonlySet<string>) => {
        const hex = Buffer.from(encode(msg)).toString('hex');
        this.encodes++;
        for (const id of this.connected) if (!skip?.has(id)) this.push(id, hex);
      },
      send: (id: string, msg: ServerMessage) => {
        this.encodes++;
        if (this.connected.has(id)) this.push(id, Buffer.from(encode(msg)).toString('hex'));
      },
      sendMany: (ids: Iterable<string>, msg: ServerMessage) => {
        const hex = Buffer.from(encode(msg)).toString('hex');
        this.encodes++;
        for (const id of ids) if (this.connected.has(id)) this.push(id, hex);
      },
      scoreChanged: () => {},
    };
    // What the arena uses of a context; the rest (timers, pool, error, saveSnapshot) it never calls.
    return ctx as unknown as RoomContext;
  }
}

/** Runs the script against `game` (the arena) and returns what each player received. */
export function recordArenaWire(game: Game<ArenaSettingsLike>): Streams {
  const random = Math.random;
  const seeded = seededRandom(0xa4e7a);
  Math.random = seeded;
  /** The next two Math.random() calls return x then y, then the seeded generator again. */
  const placeNext = (x: number, y: number) => {
    const queue = [x, y];
    Math.random = () => {
      const v = queue.shift()!;
      if (queue.length === 0) Math.random = seeded;
      return v;
    };
  };
  const pick = seededRandom(0x5eed);
  const world = { incr: (_name: string, by = 1) => Promise.resolve(by) } as unknown as World;
  try {
    const host = new RecordingHost();
    const room = game.create(host.context(world), SETTINGS);
    const seated = new Set<string>();
    const join = (r: Room, id: string, score = 0) => {
      r.join({ id, name: id, score });
      seated.add(id);
      host.connected.add(id);
    };
    const steer = (r: Room) => {
      for (const id of seated) {
        if (!host.connected.has(id) || pick() < 0.5) continue;
        const dx = Math.round((pick() * 2.4 - 1.2) * 100) / 100;
        const dy = Math.round((pick() * 2.4 - 1.2) * 100) / 100;
        r.message(id, { t: 'input', seq: 1, dx, dy });
      }
    };
    join(room, 'a');
    join(room, 'b', 3);
    let tick = 0;
    for (; tick < 90; ) {
      tick++;
      if (tick === 8) join(room, 'c');
      if (tick === 15) {
        room.setFrozen('b', true);
        host.connected.delete('b');
      }
      if (tick === 25) {
        host.connected.add('b');
        room.setFrozen('b', false);
      }
      if (tick === 30) join(room, 'd', 10);
      if (tick === 35) (room as unknown as { addCoin(v: number): number }).addCoin(10);
      if (tick === 40) {
        room.leave('a');
        seated.delete('a');
        host.connected.delete('a');
      }
      if (tick === 48) {
        // A resume: the same player seated again while still in the room.
        room.join({ id: 'c', name: 'c', score: 0 });
      }
      if (tick === 55) join(room, 'a', 1);
      if (tick === 60) {
        for (let i = 0; i < 3; i++) (room as unknown as { addCoin(v: number): number }).addCoin(1);
      }
      if (tick === 69) room.message('d', { t: 'input', seq: 1, dx: 0, dy: 0 });
      if (tick === 70) {
        // A coin placed at a standing player's feet: announced and taken in the same state.
        const d = (room.snapshot() as Snap).players.find((p) => p[0] === 'd')!;
        placeNext(d[1] / SETTINGS.fieldWidth, d[2] / SETTINGS.fieldHeight);
        (room as unknown as { addCoin(v: number): number }).addCoin(1);
      }
      if (tick === 75) {
        // A player arriving on a coin takes it without moving.
        const c = (room.snapshot() as Snap).coins[0]!;
        placeNext(c[1] / SETTINGS.fieldWidth, c[2] / SETTINGS.fieldHeight);
        join(room, 'e');
      }
      if (tick % 3 === 0 && tick < 69) steer(room);
      room.tick!(tick);
    }
    // A second room built from the first one's snapshot, its players seated again.
    const snap = room.snapshot();
    const host2 = new RecordingHost();
    const room2 = game.create(host2.context(world), SETTINGS, snap);
    for (const id of ['b', 'c', 'd']) {
      room2.join({ id, name: id, score: 0 });
      host2.connected.add(id);
    }
    for (let t = tick + 1; t <= tick + 20; t++) {
      for (const id of ['b', 'd']) room2.message(id, { t: 'input', seq: 1, dx: pick() * 2 - 1, dy: pick() * 2 - 1 });
      room2.tick!(t);
    }
    const out: Streams = {};
    for (const [id, s] of Object.entries(host.streams)) out[id] = s;
    for (const [id, s] of Object.entries(host2.streams)) out[`restored-${id}`] = s;
    return out;
  } finally {
    Math.random = random;
  }
}
