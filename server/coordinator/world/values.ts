// Counters and values: one authority (the coordinator), every write durable before it is answered.
// A write may carry a fence (a lock name and the token of its lease): it is refused unless that
// lease is the lock's live one, so a holder whose lease ran out cannot overwrite its successor.
import { isDeepStrictEqual } from 'node:util';
import { NS, type Durable } from './durable.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface Fence {
  lock: string;
  token: number;
}

export type FenceCheck = (f: Fence) => boolean;

/** Called after every change of a value (for watchers). */
export type ValueChanged = (name: string, value: unknown) => void;

export class Values {
  constructor(
    private readonly store: Durable,
    private readonly fenceHolds: FenceCheck,
    private readonly changed: ValueChanged,
  ) {}

  get(name: string): unknown {
    return this.store.get(NS.val, name) ?? null;
  }

  set(name: string, value: unknown, fence?: Fence): void {
    this.checkFence(fence);
    if (value === null || value === undefined) this.store.del(NS.val, name);
    else this.store.put(NS.val, name, value);
    this.changed(name, value ?? null);
  }

  incr(name: string, by: number, fence?: Fence): number {
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new CodedError('BAD_ARGS', 'incr: by must be a finite number');
    this.checkFence(fence);
    const cur = this.store.get(NS.val, name) ?? 0;
    if (typeof cur !== 'number') throw new CodedError('NOT_A_NUMBER', `value ${name} is not a number`);
    const next = cur + by;
    this.store.put(NS.val, name, next);
    this.changed(name, next);
    return next;
  }

  /** Sets `next` only when the current value equals `expected` (null: absent). Exactly one racer wins. */
  compareAndSet(name: string, expected: unknown, next: unknown, fence?: Fence): boolean {
    this.checkFence(fence);
    if (!isDeepStrictEqual(this.get(name), expected ?? null)) return false;
    this.set(name, next);
    return true;
  }

  private checkFence(fence: Fence | undefined): void {
    if (fence === undefined || fence === null) return;
    if (typeof fence.lock !== 'string' || typeof fence.token !== 'number') {
      throw new CodedError('BAD_ARGS', 'fence must be {lock, token}');
    }
    if (!this.fenceHolds(fence)) {
      throw new CodedError('FENCED', `lock ${fence.lock} is no longer held with token ${fence.token}`);
    }
  }
}
