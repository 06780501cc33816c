// The arena as a Colyseus room, the same rules as Shoal's built-in game (server/games/arena):
// players steer with {seq, dx, dy} inputs (a direction, at most full speed), move every tick,
// take the coins within the pickup radius, and the field is topped up to its coin count.
// A ping is a room message answered with a pong message, as Shoal answers its ping. The patch
// goes out at the end of each simulation tick (patchRate off, broadcastPatch() per tick), so a
// client gets one state per tick as from Shoal; with patchRate as a second timer beside the
// simulation's, the two drift and a patch now and then finds no change and is skipped.
import { Room, type Client } from '@colyseus/core';
import { ARENA_RULES } from './rules.js';
import { ArenaState, CoinState, PlayerState } from './arena-state.js';

interface SimPlayer {
  x: number;
  y: number;
  dx: number;
  dy: number;
  view: PlayerState;
}

interface SimCoin {
  x: number;
  y: number;
  value: number;
}

const STEP = ARENA_RULES.playerSpeed / ARENA_RULES.hz;
const R2 = ARENA_RULES.pickupRadius * ARENA_RULES.pickupRadius;
const TICK_MS = 1000 / ARENA_RULES.hz;

function isInput(m: unknown): m is { dx: number; dy: number } {
  const o = m as { dx?: unknown; dy?: unknown } | null;
  return typeof o === 'object' && o !== null && Number.isFinite(o.dx) && Number.isFinite(o.dy);
}

export class ArenaRoom extends Room<{ state: ArenaState }> {
  override maxClients = ARENA_RULES.roomCapacity;
  private readonly sim = new Map<string, SimPlayer>();
  private readonly coins = new Map<string, SimCoin>();
  private nextCoin = 1;
  private tickNo = 0;

  override onCreate(): void {
    this.setState(new ArenaState());
    while (this.coins.size < ARENA_RULES.coins) this.spawnCoin();
    this.onMessage('input', (client: Client, m: unknown) => {
      const p = this.sim.get(client.sessionId);
      if (!p || !isInput(m)) return;
      const len = Math.hypot(m.dx, m.dy);
      const k = len > 1 ? 1 / len : 1;
      p.dx = m.dx * k;
      p.dy = m.dy * k;
    });
    this.onMessage('ping', (client: Client, m: unknown) => {
      const id = (m as { id?: unknown } | null)?.id;
      client.send('pong', { id: typeof id === 'number' ? id : 0, tick: this.tickNo });
    });
    this.setSimulationInterval(() => this.tick(), TICK_MS);
    // After the simulation loop exists, or Colyseus starts a clock timer of its own for a room without patches.
    this.patchRate = null;
  }

  override onJoin(client: Client): void {
    const x = Math.random() * ARENA_RULES.worldWidth;
    const y = Math.random() * ARENA_RULES.worldHeight;
    const view = new PlayerState();
    view.x = Math.round(x);
    view.y = Math.round(y);
    view.score = 0;
    this.sim.set(client.sessionId, { x, y, dx: 0, dy: 0, view });
    this.state.players.set(client.sessionId, view);
  }

  override onLeave(client: Client): void {
    this.sim.delete(client.sessionId);
    this.state.players.delete(client.sessionId);
  }

  private tick(): void {
    this.tickNo++;
    const w = ARENA_RULES.worldWidth;
    const h = ARENA_RULES.worldHeight;
    for (const p of this.sim.values()) {
      if (p.dx === 0 && p.dy === 0) continue;
      p.x = Math.min(w, Math.max(0, p.x + p.dx * STEP));
      p.y = Math.min(h, Math.max(0, p.y + p.dy * STEP));
      p.view.x = Math.round(p.x);
      p.view.y = Math.round(p.y);
      this.pickup(p);
    }
    while (this.coins.size < ARENA_RULES.coins) this.spawnCoin();
    this.broadcastPatch();
  }

  private pickup(p: SimPlayer): void {
    for (const [id, c] of this.coins) {
      const ddx = c.x - p.x;
      const ddy = c.y - p.y;
      if (ddx * ddx + ddy * ddy <= R2) {
        this.coins.delete(id);
        this.state.coins.delete(id);
        p.view.score += c.value;
      }
    }
  }

  private spawnCoin(): void {
    const id = String(this.nextCoin++);
    const c: SimCoin = { x: Math.round(Math.random() * ARENA_RULES.worldWidth), y: Math.round(Math.random() * ARENA_RULES.worldHeight), value: 1 };
    this.coins.set(id, c);
    const view = new CoinState();
    view.x = c.x;
    view.y = c.y;
    view.value = c.value;
    this.state.coins.set(id, view);
  }
}
