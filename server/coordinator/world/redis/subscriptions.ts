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
  private readonly prefixes: Array<[string, Handler]> = [];
  private connectedOnce = false;
  private readonly resubscribed: Array<() => void> = [];

  constructor(private readonly sub: Redis) {
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

  unwant(channel: string): void {
    if (!this.wanted.delete(channel)) return;
    this.active.delete(channel);
    this.sub.unsubscribe(channel).catch(() => {
      // Redis away: the subscription died with the connection, and a resubscribe skips it.
    });
  }

  isActive(channel: string): boolean {
    return this.active.has(channel);
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
