// What a four-in-a-row client has seen: the latest `four` message (the whole game) and the coded
// errors, with waits for a condition on them. Used by the whole-cluster four tests.
import type { ShoalClient } from '../../shared/client/client.js';
import type { FourMsg } from '../../shared/protocol/four.js';
import type { ErrorMsg } from '../../shared/protocol/messages.js';
import { until } from './server.js';

/** The `four` message as the wire carries it (shared/protocol/four.ts). */
export type FourState = FourMsg;

export class FourWatch {
  last: FourState | null = null;
  /** Every `four` message received, in order. */
  readonly seen: FourState[] = [];
  readonly errors: ErrorMsg[] = [];

  constructor(readonly client: ShoalClient) {
    client.on('message', (m) => {
      if (m.t === ('four' as string)) {
        this.last = m as unknown as FourState;
        this.seen.push(this.last);
      } else if (m.t === 'error') this.errors.push(m);
    });
  }

  /** Resolves with the latest state once pred holds for it. */
  until(pred: (s: FourState) => boolean, what: string, timeoutMs = 15_000): Promise<FourState> {
    return until(() => (this.last && pred(this.last) ? this.last : undefined), timeoutMs, `${this.client.id || 'client'}: ${what}`);
  }

  /** The next error with that code (already received or to come). */
  error(code: string, timeoutMs = 10_000): Promise<ErrorMsg> {
    return until(() => this.errors.find((e) => e.code === code), timeoutMs, `error ${code}`).then((e) => {
      this.errors.splice(this.errors.indexOf(e), 1);
      return e;
    });
  }

  /** This client's seat (0 or 1), or null when it watches. */
  get seat(): 0 | 1 | null {
    const s = this.last?.seats;
    if (s?.[0]?.[0] === this.client.id) return 0;
    if (s?.[1]?.[0] === this.client.id) return 1;
    return null;
  }
}

/** Plays `moves` alternately, the first by whoever is to move, waiting for each to show. */
export async function playMoves(players: [FourWatch, FourWatch], moves: readonly number[]): Promise<FourState> {
  let state = players[0].last!;
  for (const col of moves) {
    const n = state.moves;
    const mover = players.find((p) => p.seat === state.turn)!;
    mover.client.send({ t: 'move', col });
    state = await players[0].until((s) => s.moves > n || s.status !== 'playing', `move ${n + 1} shown`);
  }
  return state;
}
