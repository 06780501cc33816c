// The arena player the benches and the tests drive: one input toward the nearest coin it knows of.
import type { ShoalClient } from '../shared/client/client.js';

/** One input toward the nearest coin the client knows of (none: no input). */
export function steerToNearestCoin(c: ShoalClient, me: { x: number; y: number }): void {
  let best: { x: number; y: number } | null = null;
  let bestD = Infinity;
  for (const coin of c.coins.values()) {
    const d = (coin.x - me.x) ** 2 + (coin.y - me.y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = coin;
    }
  }
  if (!best) return;
  const len = Math.hypot(best.x - me.x, best.y - me.y) || 1;
  c.input((best.x - me.x) / len, (best.y - me.y) / len);
}
