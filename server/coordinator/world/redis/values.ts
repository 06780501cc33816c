// Counters and values in Redis: one key each (MessagePack), every write a Lua script so that the
// fence check, the compare and the write are one step for every host; each write also publishes the
// new value on the name's channel, in the same step, for watchers on any host.
import type { Fence } from '../values.js';
import { KEYS } from '../../redis/keys.js';
import type { WorldRedis } from './connections.js';
import { packValue, unpackValue } from './codec.js';
import { inRedis } from './failures.js';

export class RedisValues {
  constructor(private readonly r: WorldRedis) {}

  get(name: string): Promise<unknown> {
    return inRedis(async () => unpackValue(await this.r.cmd.getBuffer(KEYS.wVal(name))));
  }

  getMany(names: string[]): Promise<unknown[]> {
    if (names.length === 0) return Promise.resolve([]);
    return inRedis(async () => (await this.r.cmd.mgetBuffer(...names.map((n) => KEYS.wVal(n)))).map((b) => unpackValue(b)));
  }

  set(name: string, value: unknown, fence?: Fence): Promise<void> {
    return inRedis(async () => {
      await this.r.cmd.wSet(KEYS.wVal(name), fenceKey(name, fence), fenceToken(fence), packValue(value), KEYS.wValChannel(name));
    });
  }

  incr(name: string, by: number, fence?: Fence): Promise<number> {
    return inRedis(async () => {
      const b = await this.r.cmd.wIncrBuffer(KEYS.wVal(name), fenceKey(name, fence), fenceToken(fence), String(by), KEYS.wValChannel(name));
      return unpackValue(b) as number;
    });
  }

  cas(name: string, expected: unknown, next: unknown, fence?: Fence): Promise<boolean> {
    return inRedis(async () => {
      const won = await this.r.cmd.wCas(KEYS.wVal(name), fenceKey(name, fence), fenceToken(fence), packValue(expected), packValue(next), KEYS.wValChannel(name));
      return won === 1;
    });
  }
}

/** The fencing lock's lease key (the value's own key when there is no fence: never read). */
function fenceKey(name: string, fence: Fence | undefined): string {
  return fence ? KEYS.wLease(`lock:${fence.lock}`) : KEYS.wVal(name);
}

function fenceToken(fence: Fence | undefined): string {
  return fence ? String(fence.token) : '';
}
