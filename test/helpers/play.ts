// Small game-playing helpers for tests: steer a client toward coins until it scores.
import type { ShoalClient } from '../../shared/client/client.js';
import { steerToNearestCoin } from '../../loadtest/steer-to-coin.js';

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

export { steerToNearestCoin };
