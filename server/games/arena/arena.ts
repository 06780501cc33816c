// The arena: players chase coins on a w x h field (its size is the welcome's `world`). Built-in game of protocol version 1.
// Its `state` messages come from the state helper (game-api/state-sync.ts): players as [id, x, y, score]
// with `gone`, coins as [id, x, y(, value)] with `taken`, the wire format of protocol version 1.
import type { ClientMessage, CoinTuple, PlayerTuple, StateMsg } from '../../../shared/protocol/messages.js';
import type { Game, Room, RoomContext, SeatInfo } from '../../game-api/index.js';
import { StateSync, type SyncedCollection } from '../../game-api/state-sync.js';
import { CoinTally } from './coin-tally.js';
import { GOLDEN_VALUE, GoldenCoin } from './golden-coin.js';
import type { ArenaSettings } from './settings.js';
import { ARENA_REPORTS } from './world-keys.js';

interface Player {
  id: string;
  name: string;
  x: number;
  y: number;
  dx: number;
  dy: number;
  score: number;
  frozen: boolean;
  /** Just joined or resumed: takes a coin it arrives on at the next tick. */
  fresh: boolean;
}

interface Coin { id: number; x: number; y: number; value: number }

export interface ArenaSnapshot {
  tick: number;
  nextCoin: number;
  players: Array<[string, number, number, number]>; // id, x, y, score
  coins: Array<[number, number, number, number]>; // id, x, y, value
}

const round2 = (v: number) => Math.round(v * 100) / 100;
// Positions go on the wire as whole units: small unsigned integers in any MessagePack library,
// 3 bytes each instead of 9 for a float64; the simulation itself keeps full precision.
const wire = Math.round;

export class Arena implements Room {
  private readonly sync: StateSync<StateMsg>;
  private readonly players: SyncedCollection<string, Player>;
  private readonly coins: SyncedCollection<number, Coin>;
  private nextCoin = 1;
  private tickNo = 0;
  private readonly w: number;
  private readonly h: number;
  private readonly step: number;
  private readonly r2: number;
  /** Coins placed since the last tick (reused): each goes to a standing player within reach. */
  private readonly placed: Coin[] = [];
  /** Positions restored from a snapshot, used when those players are seated again. */
  private readonly restored = new Map<string, [number, number]>();
  // World features: the server-wide golden coin and the world count of coins taken.
  private readonly golden: GoldenCoin;
  private readonly tally: CoinTally;

  constructor(private readonly ctx: RoomContext, private readonly settings: ArenaSettings, snap?: ArenaSnapshot) {
    const c = settings;
    this.w = c.fieldWidth;
    this.h = c.fieldHeight;
    this.step = c.playerSpeed / ctx.hz;
    this.r2 = c.pickupRadius * c.pickupRadius;
    this.sync = new StateSync<StateMsg>(ctx, { type: 'state' });
    this.players = this.sync.collection('players', { wire: playerTuple, removed: 'gone' });
    this.coins = this.sync.collection('coins', { wire: coinTuple, removed: 'taken' });
    if (snap) {
      this.tickNo = snap.tick;
      this.nextCoin = snap.nextCoin;
      for (const [id, x, y, value] of snap.coins) this.coins.set(id, { id, x, y, value });
      for (const [id, x, y] of snap.players) this.restored.set(id, [x, y]);
    }
    while (this.coins.size < c.coins) this.spawnCoin(false);
    // Nobody has seen a state yet: the field so far reaches players in their full states.
    this.sync.settle();
    this.golden = new GoldenCoin(ctx.world, c.goldenCoinMs, () => this.addCoin(GOLDEN_VALUE));
    this.tally = new CoinTally(ctx.world);
  }

  get size(): number {
    return this.players.size;
  }

  join(seat: SeatInfo): void {
    const existing = this.players.get(seat.id);
    if (existing) {
      existing.fresh = true;
      existing.frozen = false;
      if (seat.score > existing.score) existing.score = seat.score;
      this.sync.fresh(seat.id);
      return;
    }
    const pos = this.restored.get(seat.id);
    this.restored.delete(seat.id);
    this.players.set(seat.id, {
      id: seat.id,
      name: seat.name,
      x: pos ? pos[0] : Math.random() * this.w,
      y: pos ? pos[1] : Math.random() * this.h,
      dx: 0,
      dy: 0,
      score: seat.score,
      frozen: false,
      fresh: true,
    });
    this.sync.fresh(seat.id);
  }

  leave(playerId: string): void {
    this.players.delete(playerId);
    this.sync.leave(playerId);
  }

  setFrozen(playerId: string, frozen: boolean): void {
    const p = this.players.get(playerId);
    if (!p) return;
    p.frozen = frozen;
    p.dx = 0;
    p.dy = 0;
    if (!frozen) {
      p.fresh = true;
      this.sync.fresh(playerId);
    }
  }

  message(playerId: string, msg: ClientMessage): void {
    if (msg.t !== 'input') return;
    const p = this.players.get(playerId);
    if (!p || p.frozen) return;
    // Input is intent: its direction, at most full speed.
    const len = Math.hypot(msg.dx, msg.dy);
    const k = len > 1 ? 1 / len : 1;
    p.dx = msg.dx * k;
    p.dy = msg.dy * k;
  }

  /** An extra coin (e.g. a golden one) placed by world code. */
  addCoin(value: number): number {
    return this.spawnCoin(true, value);
  }

  tick(tick: number): void {
    this.tickNo = tick;
    for (const p of this.players.values()) {
      if (p.dx !== 0 || p.dy !== 0) {
        p.x = Math.min(this.w, Math.max(0, p.x + p.dx * this.step));
        p.y = Math.min(this.h, Math.max(0, p.y + p.dy * this.step));
        this.players.changed(p.id);
        this.pickup(p);
      } else if (p.fresh && !p.frozen) {
        // A player who arrives (joins, resumes) on a coin takes it standing: its client sees
        // itself at the coin, steers nowhere, and it would wait there for ever.
        this.pickup(p);
      }
      if (p.fresh) p.fresh = false;
    }
    while (this.coins.size < this.settings.coins) this.spawnCoin(true);
    this.golden.tick();
    // For the same reason a coin placed within reach of a standing player goes to it now. Only
    // coins placed before this line are looked at: their replacements wait for the next tick, so
    // a pickup radius as large as the field takes a coin a tick instead of looping.
    const placed = this.placed.length;
    for (let i = 0; i < placed; i++) this.reach(this.placed[i]!);
    if (this.placed.length !== 0) this.placed.length = 0;
    this.tally.tick();
    this.sync.flush(tick);
  }

  snapshot(): ArenaSnapshot {
    return {
      tick: this.tickNo,
      nextCoin: this.nextCoin,
      players: [...this.players.values()].map((p) => [p.id, round2(p.x), round2(p.y), p.score]),
      coins: [...this.coins.values()].map((c) => [c.id, round2(c.x), round2(c.y), c.value]),
    };
  }

  private pickup(p: Player): void {
    for (const c of this.coins.values()) {
      const ddx = c.x - p.x;
      const ddy = c.y - p.y;
      if (ddx * ddx + ddy * ddy <= this.r2) this.take(p, c);
    }
  }

  /** A newly placed coin goes to the first player standing within reach of it, if any. */
  private reach(c: Coin): void {
    if (!this.coins.has(c.id)) return;
    for (const p of this.players.values()) {
      if (p.frozen) continue;
      const ddx = c.x - p.x;
      const ddy = c.y - p.y;
      if (ddx * ddx + ddy * ddy <= this.r2) {
        this.take(p, c);
        return;
      }
    }
  }

  private take(p: Player, c: Coin): void {
    this.coins.delete(c.id);
    p.score += c.value;
    this.players.changed(p.id);
    this.tally.taken();
    this.ctx.scoreChanged(p.id, p.score);
  }

  private spawnCoin(announce: boolean, value = 1): number {
    const c: Coin = { id: this.nextCoin++, x: wire(Math.random() * this.w), y: wire(Math.random() * this.h), value };
    this.coins.set(c.id, c);
    if (announce) this.placed.push(c);
    return c.id;
  }
}

function playerTuple(p: Player): PlayerTuple {
  return [p.id, wire(p.x), wire(p.y), p.score];
}

function coinTuple(c: Coin): CoinTuple {
  return c.value === 1 ? [c.id, c.x, c.y] : [c.id, c.x, c.y, c.value];
}

export const arena: Game<ArenaSettings> = {
  name: 'arena',
  create: (ctx, settings, snapshot) => new Arena(ctx, settings, snapshot as ArenaSnapshot | undefined),
  field: (settings) => ({ w: settings.fieldWidth, h: settings.fieldHeight }),
  reports: ARENA_REPORTS,
};
