// Which worker channels want pushes about a name (event topics, watched values). The coordinator
// pushes to those only. Channels of dead workers are dropped lazily, the next time a name they
// were on is touched, so no close hook is needed; a live worker re-subscribes after a reconnect.
import type { CoordinatorChannel as Channel } from '../../ipc/coordinator-ops.js';

export class Subscribers {
  private readonly byName = new Map<string, Set<Channel>>();

  constructor(private readonly pushTopic: 'world.ev' | 'world.val') {}

  add(name: string, ch: Channel): void {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = new Set()));
    s.add(ch);
  }

  remove(name: string, ch: Channel): void {
    const s = this.byName.get(name);
    if (!s) return;
    s.delete(ch);
    if (s.size === 0) this.byName.delete(name);
  }

  /** Pushes [name, value] to every live subscriber; returns how many workers it reached. */
  send(name: string, value: unknown): number {
    const s = this.byName.get(name);
    if (!s) return 0;
    let n = 0;
    for (const ch of s) {
      if (ch.closed) {
        s.delete(ch);
        continue;
      }
      ch.push(this.pushTopic, [name, value]);
      n++;
    }
    if (s.size === 0) this.byName.delete(name);
    return n;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Live subscribers of a name (dead ones are dropped on the way). */
  count(name: string): number {
    const s = this.byName.get(name);
    if (!s) return 0;
    for (const ch of s) if (ch.closed) s.delete(ch);
    if (s.size === 0) this.byName.delete(name);
    return s.size;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  stats(): { names: number; subscriptions: number } {
    let subscriptions = 0;
    for (const s of this.byName.values()) subscriptions += s.size;
    return { names: this.byName.size, subscriptions };
  }
}
