// Address bans: what a ban target may be, and the primary's copy of the ban list that the
// acceptor consults for every new connection. The list itself lives in the coordinator (durable);
// the primary refreshes its copy from there, so a check never waits on another process.
import { addressMatcher, parseAddressOrSubnet } from '../net/addresses.js';
import { CodedError } from '../../shared/errors/coded-error.js';
import type { BanEntry } from '../ipc/admin-types.js';

export type { BanEntry };

/** Checks and normalises a ban target; throws BAD_ARGS. */
export function banTarget(raw: string): string {
  const r = parseAddressOrSubnet(raw);
  if (!r.ok) throw new CodedError('BAD_ARGS', r.reason);
  return r.value;
}

export class BanList {
  private entries: BanEntry[] = [];
  private match: (address: string) => boolean = () => false;
  private nextExpiry = Infinity;

  set(entries: BanEntry[]): void {
    this.entries = entries.slice();
    this.rebuild();
  }

  list(): BanEntry[] {
    return this.entries.filter((e) => e.until === null || e.until > Date.now());
  }

  isBanned(address: string): boolean {
    if (this.entries.length === 0) return false;
    if (Date.now() >= this.nextExpiry) this.rebuild();
    return this.match(address);
  }

  private rebuild(): void {
    const now = Date.now();
    this.entries = this.entries.filter((e) => e.until === null || e.until > now);
    this.match = addressMatcher(this.entries.map((e) => e.address));
    this.nextExpiry = Math.min(Infinity, ...this.entries.map((e) => e.until ?? Infinity));
  }
}
