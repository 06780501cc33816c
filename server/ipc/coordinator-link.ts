// The worker's channel to the coordinator. It reconnects by itself when the coordinator restarts;
// a request made while the coordinator is away waits for it a bounded time, then fails with a code.
// Calls are typed by coordinator-ops.ts, the one declaration of the coordinator's ops.
import net from 'node:net';
import type { Logger } from 'pino';
import { Channel, type PushHandler } from '../../shared/ipc/channel.js';
import { CodedError } from '../../shared/errors/coded-error.js';
import type { CoordinatorArgs, CoordinatorChannel, CoordinatorOp, CoordinatorPushes, CoordinatorResult } from './coordinator-ops.js';

export class CoordinatorLink {
  private ch: CoordinatorChannel | null = null;
  private waiters: Array<() => void> = [];
  private stopped = false;
  private attempt = 0;
  /** Called after each (re)connect, before waiting requests go out: say who we are. */
  onConnect: (ch: CoordinatorChannel) => Promise<void> = async () => {};

  /** `onPush` may be replaced later (the primary's console takes `bus.run` once it is attached). */
  constructor(private readonly socketPath: string, public onPush: PushHandler<CoordinatorPushes>, private readonly log: Logger) {}

  start(): void {
    this.connect();
  }

  get connected(): boolean {
    return this.ch !== null;
  }

  private connect(): void {
    if (this.stopped) return;
    const sock = net.connect(this.socketPath);
    sock.once('connect', () => {
      const ch: CoordinatorChannel = new Channel(sock, null, (...push) => this.onPush(...push), () => {
        if (this.ch === ch) {
          this.ch = null;
          if (!this.stopped) this.log.warn('coordinator channel lost; reconnecting');
          this.retry();
        }
      });
      this.onConnect(ch).then(
        () => {
          this.attempt = 0;
          this.ch = ch;
          const w = this.waiters;
          this.waiters = [];
          for (const fn of w) fn();
        },
        (err) => {
          this.log.warn({ err }, 'coordinator hello failed');
          ch.destroy();
        },
      );
    });
    sock.once('error', () => {
      sock.destroy();
      this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = Math.min(50 * 2 ** this.attempt++, 1000);
    setTimeout(() => this.connect(), delay).unref();
  }

  async request<K extends CoordinatorOp>(op: K, args: CoordinatorArgs<K>, timeoutMs = 5000): Promise<CoordinatorResult<K>> {
    if (!this.ch) await this.waitConnected(timeoutMs, op);
    return this.ch!.request(op, args, timeoutMs);
  }

  /**
   * Sends a request and writes it to the socket now (ordering against client writes matters).
   * Null when there is no channel: nothing was sent, and the caller keeps what it must not lose.
   */
  requestNow<K extends CoordinatorOp>(op: K, args: CoordinatorArgs<K>, timeoutMs = 5000): Promise<CoordinatorResult<K>> | null {
    if (!this.ch) return null;
    const p = this.ch.request(op, args, timeoutMs);
    this.ch.flush();
    return p;
  }

  private waitConnected(timeoutMs: number, op: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new CodedError('UNAVAILABLE', `coordinator unavailable (${op})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ch?.close();
  }
}
