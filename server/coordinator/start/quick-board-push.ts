// Keeps the primary's copy of the QuickSeatsBoard (server/ipc/coordinator-ops.ts) current: pushed
// in the turn after an op that may move a seat, a room or a drain (several ops of one turn share
// one push, and an unchanged board is not sent again), at most once every QUICK_BOARD_GAP_MS (a
// connect burst would otherwise build and send one every turn: profiled at a fifth of the
// coordinator's time), and every second whatever happened (seats promised at routing lapse by
// themselves; the primary trusts a board only while it is fresh).
import type { CoordinatorChannel } from '../../ipc/coordinator-ops.js';
import type { Directory } from '../directory/directory.js';

/** How often the board is sent unchanged: the primary stops trusting one a few times older. */
export const QUICK_BOARD_EVERY_MS = 1000;

/**
 * The least time between two pushes. Between them the primary places from its own copy, taking a
 * seat off it per placement, so a late board costs at most a room made on a worker beside one
 * with a free seat; never a relay.
 */
export const QUICK_BOARD_GAP_MS = 10;

/** Ops after which the board may differ (every console op too: drain, undrain, kick ...). */
const MOVES_SEATS = new Set(['join', 'leave', 'route', 'room.gone', 'room.open', 'worker.hello', 'primary.hello']);

export class QuickBoardPush {
  private scheduled = false;
  private last = '';
  private sentAt = -Infinity;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly dir: Directory, private readonly primary: () => CoordinatorChannel | undefined) {
    this.timer = setInterval(() => this.send(true), QUICK_BOARD_EVERY_MS);
    this.timer.unref();
  }

  /** An op ran (or finished, for one answered later). */
  afterOp(op: string): void {
    if (op === 'primary.hello') this.last = '';
    if (MOVES_SEATS.has(op) || op.startsWith('admin.')) this.changed();
  }

  /** Something placement depends on changed (a worker's channel closed). */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.send(false);
    };
    const wait = this.sentAt + QUICK_BOARD_GAP_MS - performance.now();
    if (wait > 0) setTimeout(go, wait).unref();
    else setImmediate(go);
  }

  private send(always: boolean): void {
    const ch = this.primary();
    if (!ch) return;
    const board = this.dir.placement.quickBoard(Date.now());
    const text = JSON.stringify(board);
    if (!always && text === this.last) return;
    this.last = text;
    this.sentAt = performance.now();
    ch.push('quick.seats', board);
    // Now, not at the end of the turn: a quick-join the primary places next reads this board.
    ch.flush();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
