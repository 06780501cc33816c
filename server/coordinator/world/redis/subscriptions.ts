// The coordinator's one Redis subscriber connection, shared by every world primitive that listens
// (events, value watches, wake-ups of waiting acquirers and pops): a channel is subscribed while
// something on this host wants it, and each message goes to the handler of its channel's prefix.
// ioredis subscribes again by itself after a reconnect; `onResubscribed` hears it (what was
// published meanwhile is lost, so a listener that must not miss a change reads it again).
import type { Redis } from 'ioredis';

type Handler = (suffix: string, msg: Buffer) => void;

export class RedisSubscriptions {
  private readonly wanted = new Map<string, Promise<void>>();
  private readonly active = new Set<string>();
  /** Channels no longer wanted, unsubscribed when their timer fires. */
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  private readonly prefixes: Array<[string, Handler]> = [];
  private connectedOnce = false;
  private readonly resubscribed: Array<() => void> = [];

  constructor(private readonly sub: Redis, private readonly lingerMs: number) {
    sub.on('messageBuffer', (channel: Buffer, msg: Buffer) => this.dispatch(channel.toString(), msg));
    sub.on('ready', () => {
      if (this.connectedOnce) for (const fn of this.resubscribed) fn();
      this.connectedOnce = true;
    });
  }

  /** Messages on channels starting with `prefix` go to `fn(rest of the channel name, message)`. */
  on(prefix: string, fn: Handler): void {
    this.prefixes.push([prefix, fn]);
  }

  onResubscribed(fn: () => void): void {
    this.resubscribed.push(fn);
  }

  /** Resolves once Redis confirmed the subscription (so nothing published after is missed). */
  want(channel: string): Promise<void> {
    const t = this.leaving.get(channel);
    if (t) {
      clearTimeout(t);
      this.leaving.delete(channel);
    }
    let p = this.wanted.get(channel);
    if (!p) {
      p = this.sub.subscribe(channel).then(
        () => {
          if (this.wanted.has(channel)) this.active.add(channel);
        },
        (err: unknown) => {
          this.wanted.delete(channel);
          throw err;
        },
      );
      this.wanted.set(channel, p);
    }
    return p;
  }

  /**
   * Not wanted any more. `linger`: unsubscribed only after the linger time unless wanted again by
   * then (for wake-ups: a lock taken and released in a loop does not pay a SUBSCRIBE and an
   * UNSUBSCRIBE each time; events and watches go at once, so Redis's count of listeners is true).
   */
  unwant(channel: string, linger = false): void {
    if (!this.wanted.has(channel) || this.leaving.has(channel)) return;
    const drop = () => {
      this.leaving.delete(channel);
      this.wanted.delete(channel);
      this.active.delete(channel);
      this.sub.unsubscribe(channel).catch(() => {
        // Redis away: the subscription died with the connection, and a resubscribe skips it.
      });
    };
    if (linger) this.leaving.set(channel, setTimeout(drop, this.lingerMs).unref());
    else drop();
  }

  /** Subscribed and wanted (a lingering channel is not: nobody here listens on it). */
  isActive(channel: string): boolean {
    return this.active.has(channel) && !this.leaving.has(channel);
  }

  private dispatch(channel: string, msg: Buffer): void {
    for (const [prefix, fn] of this.prefixes) {
      if (channel.startsWith(prefix)) {
        fn(channel.slice(prefix.length), msg);
        return;
      }
    }
  }
}
