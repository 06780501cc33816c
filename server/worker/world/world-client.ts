// The worker's side of the world API: one WorldClient per worker process, which owns the
// subscriptions this worker holds at the coordinator and dispatches the coordinator's pushes to
// rooms; and a RoomWorld per room (world-room.ts), the `world` a room's code uses.
import type { Logger } from 'pino';
import type { CoordinatorChannel, CoordinatorPush } from '../../ipc/coordinator-ops.js';
import { RoomWorld, type WorkerWorldLink, type WorldHandler as Handler, type WorldLink } from './world-room.js';

/** name -> local handlers; the coordinator knows only that this worker wants the name. */
class Registry {
  private readonly map = new Map<string, Set<Handler>>();

  /** True when this is the first handler for name (the coordinator must be told). */
  add(name: string, h: Handler): boolean {
    let s = this.map.get(name);
    const first = !s;
    if (!s) this.map.set(name, (s = new Set()));
    s.add(h);
    return first;
  }

  /** True when that was the last handler for name. */
  remove(name: string, h: Handler): boolean {
    const s = this.map.get(name);
    if (!s || !s.delete(h)) return false;
    if (s.size) return false;
    this.map.delete(name);
    return true;
  }

  names(): string[] {
    return [...this.map.keys()];
  }

  dispatch(name: string, value: unknown, log: Logger): void {
    const s = this.map.get(name);
    if (!s) return;
    for (const h of [...s]) {
      try {
        h(value, name);
      } catch (err) {
        log.error({ err, name }, 'world handler threw');
      }
    }
  }
}

export class WorldClient implements WorkerWorldLink {
  private readonly topics = new Registry();
  private readonly watches = new Registry();

  constructor(readonly link: WorldLink, readonly log: Logger) {}

  /** The world handle for one room: everything it holds is released when the room ends. */
  forRoom(roomId: string): RoomWorld {
    return new RoomWorld(this, roomId);
  }

  /** Routes a coordinator push; false when it is not a world event or value. */
  onPush(...push: CoordinatorPush): boolean {
    switch (push[0]) {
      case 'world.ev': {
        const [t, v] = push[1];
        this.topics.dispatch(t, v, this.log);
        return true;
      }
      case 'world.val': {
        const [n, v] = push[1];
        this.watches.dispatch(n, v, this.log);
        return true;
      }
    }
    return false;
  }

  /** After a (re)connect: the coordinator may be new, so tell it again what this worker listens to. */
  resubscribe(ch: CoordinatorChannel): void {
    const topics = this.topics.names();
    const names = this.watches.names();
    if (topics.length) ch.request('world.sub', { topics }).catch(() => {});
    if (names.length) {
      // Values may have changed while we were away: hand the current ones to the watchers.
      ch.request('world.watch', { names }).then(
        (vals) => names.forEach((n, i) => this.watches.dispatch(n, vals[i] ?? null, this.log)),
        () => {},
      );
    }
  }

  subscribe(topic: string, h: Handler): void {
    if (this.topics.add(topic, h)) this.link.request('world.sub', { topics: [topic] }).catch(() => {});
  }

  unsubscribe(topic: string, h: Handler): void {
    if (this.topics.remove(topic, h)) this.link.request('world.unsub', { topics: [topic] }).catch(() => {});
  }

  /** Watches a value; resolves to its current value (the handler sees every later change). */
  async watch(name: string, h: Handler): Promise<unknown> {
    this.watches.add(name, h);
    const [v] = await this.link.request('world.watch', { names: [name] });
    return v ?? null;
  }

  unwatch(name: string, h: Handler): void {
    if (this.watches.remove(name, h)) this.link.request('world.unwatch', { names: [name] }).catch(() => {});
  }
}
