// The roomsPerAddressPerMinute limit: how many new rooms one client address may make a minute,
// so one address cannot fill the directory with rooms. Counts live in memory only.
import type { Config } from '../../config/schema.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const MINUTE_MS = 60_000;

export class RoomsPerAddress {
  /** address -> rooms it made in the current minute */
  private readonly madeBy = new Map<string, { since: number; n: number }>();

  constructor(private readonly config: Config) {}

  /** Counts a room an address makes; ROOM_LIMIT past roomsPerAddressPerMinute. */
  count(address: string, now: number): void {
    let m = this.madeBy.get(address);
    if (!m || now - m.since >= MINUTE_MS) {
      m = { since: now, n: 0 };
      this.madeBy.set(address, m);
    }
    const limit = this.config.roomsPerAddressPerMinute;
    if (m.n >= limit) {
      throw new CodedError('ROOM_LIMIT', `no more than ${limit} new rooms a minute from one address; join an existing room`);
    }
    m.n++;
  }

  /** Forgets the counts of minutes that are over. */
  sweep(now: number): void {
    for (const [addr, m] of this.madeBy) if (now - m.since >= MINUTE_MS) this.madeBy.delete(addr);
  }
}
