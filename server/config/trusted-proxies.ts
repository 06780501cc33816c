// Which peers may say who the client really is (a PROXY header, X-Forwarded-For): the
// --trusted-proxies list of addresses and CIDR subnets. Anyone else's word is not taken.
import net from 'node:net';

/** IPv4 peers of a dual-stack socket show as ::ffff:a.b.c.d. */
function plain(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return (m ? m[1]! : a).toLowerCase();
}

/** Parses "10.0.0.0/8, 192.0.2.7, ::1"; throws Error naming the first bad entry. */
export function parseTrustedProxies(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const [addr, prefix, extra] = t.split('/');
    const a = plain(addr!);
    const family = net.isIP(a);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max))) {
      throw new Error(`${JSON.stringify(t)} is not an IP address or CIDR subnet`);
    }
    out.push(prefix === undefined ? a : `${a}/${Number(prefix)}`);
  }
  return out;
}

/** A matcher over a parsed list: is this peer address a trusted proxy. */
export function trustedMatcher(entries: string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new net.BlockList();
  for (const t of entries) {
    const [a, prefix] = t.split('/');
    const type = net.isIP(a!) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(a!, type);
    else list.addSubnet(a!, Number(prefix), type);
  }
  return (address) => {
    const a = plain(address);
    const family = net.isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

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
    const a = plain(list[i]!.trim());
    // A malformed hop: nothing left of it can be trusted; the last good hop is the answer.
    if (net.isIP(a) === 0) break;
    client = a;
    if (!trusted(a)) break;
  }
  return client;
}
