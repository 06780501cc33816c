// Address bans: what a ban target may be, and the primary's copy of the ban list that the
// acceptor consults for every new connection. The list itself lives in the coordinator (durable);
// the primary refreshes its copy from there, so a check never waits on another process.
import net from 'node:net';
import { ConsoleError } from './wire.js';

export interface BanEntry {
  /** An address (1.2.3.4, ::1) or a subnet in CIDR form (10.0.0.0/8). */
  address: string;
  /** Epoch ms when the ban ends; null: until unbanned. */
  until: number | null;
  /** Epoch ms when it was made. */
  at: number;
}

/** IPv4 peers of a dual-stack socket show as ::ffff:a.b.c.d; a ban on a.b.c.d must match them. */
export function normalizeAddress(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return (m ? m[1]! : a).toLowerCase();
}

/** Checks and normalises a ban target; throws BAD_ARGS. */
export function banTarget(raw: string): string {
  const [addr, prefix, extra] = raw.split('/');
  const a = normalizeAddress(addr ?? '');
  const family = net.isIP(a);
  if (family === 0 || extra !== undefined) throw new ConsoleError('BAD_ARGS', `${JSON.stringify(raw)} is not an IP address or CIDR subnet`);
  if (prefix === undefined) return a;
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || Number(prefix) > max) throw new ConsoleError('BAD_ARGS', `${JSON.stringify(raw)}: prefix must be 0..${max}`);
  return `${a}/${Number(prefix)}`;
}

/** A matcher over targets (as banTarget returns them). */
export function matcher(targets: string[]): (address: string) => boolean {
  if (targets.length === 0) return () => false;
  const list = new net.BlockList();
  for (const t of targets) {
    const [a, prefix] = t.split('/');
    const type = net.isIP(a!) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(a!, type);
    else list.addSubnet(a!, Number(prefix), type);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = net.isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
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
    this.match = matcher(this.entries.map((e) => e.address));
    this.nextExpiry = Math.min(Infinity, ...this.entries.map((e) => e.until ?? Infinity));
  }
}
