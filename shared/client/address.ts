// A host's address as a REDIRECT names it (`to`: HOST:PORT, the other host's --advertise), read
// once here so the TCP and the WebSocket connectors agree on what a valid one is.

export interface HostAddress {
  /** Host name or IP, IPv6 without its brackets (what net.connect takes). */
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** HOST:PORT (IPv6 in brackets) with a port in 1..65535, or null. */
export function parseAddress(v: string): HostAddress | null {
  const m = HOST_PORT.exec(v);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && !m[1].includes(':')) return null;
  return { host, port };
}

/** The address as a URL's host part: HOST:PORT, IPv6 back in brackets. */
export function urlHost(a: HostAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** A ws:// (or any scheme://) URL with its host:port replaced; scheme, path and query kept. */
export function onHost(base: string, hostPort: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(base);
  if (!m) throw new Error(`${JSON.stringify(base)} is not a URL of the form scheme://host/path`);
  // Keep any user-info (it belongs to the URL, not to the host being replaced).
  const at = m[2]!.lastIndexOf('@');
  return `${m[1]}${at === -1 ? '' : m[2]!.slice(0, at + 1)}${hostPort}${m[3]}`;
}
