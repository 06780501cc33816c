// The --store setting: `file` (the embedded store, one host) or a Redis URL (many hosts share one
// world). Parsed once at load, so every process reads the same answer and a bad URL is one line at start.
export type StoreChoice = { kind: 'file' } | { kind: 'redis'; url: string; host: string; port: number; db: number };

/** Throws a one-line Error for anything but `file` or redis://HOST[:PORT][/DB]. */
export function parseStore(v: string): StoreChoice {
  if (v === 'file') return { kind: 'file' };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${JSON.stringify(v)} is neither file nor a redis://HOST:PORT[/DB] URL`);
  }
  if (u.protocol !== 'redis:') throw new Error(`${JSON.stringify(v)}: only redis:// URLs are supported (or file)`);
  if (!u.hostname) throw new Error(`${JSON.stringify(v)}: the URL names no host`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new Error(`${JSON.stringify(v)}: the database must be a number 0..15 (redis://HOST:PORT/DB)`);
  const db = path === '' ? 0 : Number(path);
  if (db > 15) throw new Error(`${JSON.stringify(v)}: the database must be a number 0..15`);
  if (u.search || u.hash) throw new Error(`${JSON.stringify(v)}: a query or fragment is not supported`);
  return { kind: 'redis', url: v, host: u.hostname.replace(/^\[|\]$/g, ''), port, db };
}

/** HOST:PORT with a port in 1..65535 (IPv6 in brackets). */
export function parseHostPort(v: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):(\d{1,5})$/.exec(v);
  if (!m) throw new Error(`${JSON.stringify(v)} is not HOST:PORT`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`${JSON.stringify(v)}: port ${port} is not in 1..65535`);
  return { host: m[1]!, port };
}
