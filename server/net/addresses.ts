// Client addresses and sets of them (addresses and CIDR subnets), as bans and --trusted-proxies
// name them. One parser and one matcher for both, so a ban and a trusted proxy read "::ffff:1.2.3.4"
// and "10.0.0.0/08" the same way.
import net from 'node:net';

/** IPv4 peers of a dual-stack socket show as ::ffff:a.b.c.d; a rule on a.b.c.d must match them. */
export function normalizeAddress(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return (m ? m[1]! : a).toLowerCase();
}

/** "1.2.3.4", "::1" or "10.0.0.0/8", normalised; or why it is neither an address nor a subnet. */
export function parseAddressOrSubnet(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const [addr, prefix, extra] = raw.split('/');
  const a = normalizeAddress(addr ?? '');
  const family = net.isIP(a);
  if (family === 0 || extra !== undefined) return { ok: false, reason: `${JSON.stringify(raw)} is not an IP address or CIDR subnet` };
  if (prefix === undefined) return { ok: true, value: a };
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return { ok: false, reason: `${JSON.stringify(raw)}: prefix must be 0..${max}` };
  return { ok: true, value: `${a}/${Number(prefix)}` };
}

/** A membership test over entries as parseAddressOrSubnet returns them. */
export function addressMatcher(entries: string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new net.BlockList();
  for (const t of entries) {
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
