// World events and value watches across hosts: Redis pub/sub on the subscriber connection, fanned
// out to this host's workers by the same Subscribers the file store uses. A channel is subscribed
// only while a worker here listens on it; a subscribe or watch answers after Redis confirmed it.
// Value changes are published by the write scripts themselves (values.ts), so a watcher hears them
// in write order; after Redis comes back, watched values are read again and pushed (a change
// published while the subscriber was away would otherwise be missed by a waitFor).
import type { CoordinatorChannel as Channel } from '../../../ipc/coordinator-ops.js';
import { KEYS } from '../../redis/keys.js';
import { Subscribers } from '../subscribers.js';
import type { WorldRedis } from './connections.js';
import { packValue, unpackValue } from './codec.js';
import { inRedis } from './failures.js';
import type { RedisValues } from './values.js';

export class RedisEvents {
  readonly events = new Subscribers('world.ev');
  readonly watches = new Subscribers('world.val');

  constructor(private readonly r: WorldRedis, private readonly values: RedisValues) {
    r.subs.on(KEYS.wEvChannel(''), (topic, msg) => this.deliver(this.events, KEYS.wEvChannel(topic), topic, msg));
    r.subs.on(KEYS.wValChannel(''), (name, msg) => this.deliver(this.watches, KEYS.wValChannel(name), name, msg));
    r.subs.onResubscribed(() => void this.refreshWatched());
  }

  /**
   * Resolves to the workers it reached: this host's subscribed workers, plus one for every other
   * host listening (Redis counts subscriber connections, one per host; their workers are theirs).
   */
  async publish(topic: string, value: unknown): Promise<number> {
    const chan = KEYS.wEvChannel(topic);
    const hosts = await inRedis(() => this.r.cmd.publish(chan, packValue(value)));
    const here = this.r.subs.isActive(chan);
    return this.events.count(topic) + hosts - (here ? 1 : 0);
  }

  async subscribe(topics: string[], ch: Channel): Promise<void> {
    for (const t of topics) this.events.add(t, ch);
    await inRedis(() => Promise.all(topics.map((t) => this.r.subs.want(KEYS.wEvChannel(t)))));
  }

  unsubscribe(topics: string[], ch: Channel): void {
    for (const t of topics) {
      this.events.remove(t, ch);
      if (!this.events.has(t)) this.r.subs.unwant(KEYS.wEvChannel(t));
    }
  }

  async watch(names: string[], ch: Channel): Promise<unknown[]> {
    for (const n of names) this.watches.add(n, ch);
    await inRedis(() => Promise.all(names.map((n) => this.r.subs.want(KEYS.wValChannel(n)))));
    return this.values.getMany(names);
  }

  unwatch(names: string[], ch: Channel): void {
    for (const n of names) {
      this.watches.remove(n, ch);
      if (!this.watches.has(n)) this.r.subs.unwant(KEYS.wValChannel(n));
    }
  }

  private deliver(subs: Subscribers, chan: string, name: string, msg: Buffer): void {
    if (!subs.has(name)) return;
    subs.send(name, unpackValue(msg));
    // Every subscriber here was a dead worker's: stop listening.
    if (!subs.has(name)) this.r.subs.unwant(chan);
  }

  private async refreshWatched(): Promise<void> {
    const names = this.watches.names();
    try {
      const vals = await this.values.getMany(names);
      names.forEach((n, i) => this.watches.send(n, vals[i]));
    } catch {
      // Redis went away again; the next reconnect reads them again.
    }
  }
}
