// Which peers may say who the client really is (a PROXY header, X-Forwarded-For): the
// --trusted-proxies list of addresses and CIDR subnets. Anyone else's word is not taken.
import net from 'node:net';
import { addressMatcher, normalizeAddress, parseAddressOrSubnet } from '../net/addresses.js';

/** Parses "10.0.0.0/8, 192.0.2.7, ::1"; throws Error naming the first bad entry. */
export function parseTrustedProxies(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const r = parseAddressOrSubnet(t);
    if (!r.ok) throw new Error(r.reason);
    out.push(r.value);
  }
  return out;
}

/** A matcher over a parsed list: is this peer address a trusted proxy. */
export const trustedMatcher = addressMatcher;

/**
 * The client behind X-Forwarded-For: walking the list from the right (the hop nearest us), the
 * first address that is not a trusted proxy. Each proxy appends the peer it saw, so only the
 * entries right of the first untrusted one were written by proxies we trust; anything left of it
 * the client could have made up. `peer` must itself be trusted, or the header is not read at all.
 */
export function forwardedClient(peer: string, header: string | string[] | undefined, trusted: (a: string) => boolean): string {
  if (header === undefined || !trusted(peer)) return peer;
  const list = (Array.isArray(header) ? header.join(',') : header).split(',');
  let client = peer;
  for (let i = list.length - 1; i >= 0; i--) {
    const a = normalizeAddress(list[i]!.trim());
    // A malformed hop: nothing left of it can be trusted; the last good hop is the answer.
    if (net.isIP(a) === 0) break;
    client = a;
    if (!trusted(a)) break;
  }
  return client;
}
