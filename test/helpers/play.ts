// Small game-playing helpers for tests: steer a client toward coins until it scores.
import type { ShoalClient } from '../../shared/client/client.js';

/** Steers toward the nearest coin every tick until the player's score reaches `target`. */
export async function collect(c: ShoalClient, target: number, timeoutMs = 20_000, stop?: { stopped: boolean }): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<number>((resolve, reject) => {
    const off = c.on('state', () => {
      const me = c.me;
      if (!me) return;
      if (me.score >= target || stop?.stopped) {
        off();
        c.input(0, 0);
        resolve(me.score);
        return;
      }
      if (Date.now() > deadline) {
        off();
        reject(new Error(`score ${me.score} did not reach ${target} in ${timeoutMs} ms`));
        return;
      }
      steerToNearestCoin(c, me);
    });
  });
}

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
