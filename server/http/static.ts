// Serves the browser client's built files (dist/web, made by scripts/build-web.mjs) at /.
// Only plain file names directly inside dist/web are served, so no request can reach outside it.
// Files are read once and kept in memory with an ETag and a gzip copy; a rebuild is picked up by
// comparing the file's mtime on each request (one stat, far cheaper than a read).
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import zlib from 'node:zlib';

/** dist/server/http/static.js -> dist/web/ */
const WEB_DIR = new URL('../../web/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// The page talks only to its own origin: no CDN, no external fonts, nothing to allow beyond 'self'.
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Many hosts sharing one world (--store redis): a REDIRECT sends the page's WebSocket to another
// host, which 'self' would block. Hosts come and go, so the page may open a WebSocket anywhere;
// scripts, styles and fetches stay 'self'.
const CSP_WORLD = CSP.replace("connect-src 'self'", "connect-src 'self' ws: wss:");

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

interface Entry {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
  type: string;
}

const cache = new Map<string, Entry>();

function fileNameFor(url: string | undefined): string | null {
  if (!url) return null;
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (pathname === '/') return 'index.html';
  // Exactly one path segment of safe characters: rejects '..', '%2e%2e', '/a/b', backslashes.
  const name = pathname.slice(1);
  if (!SAFE_NAME.test(name) || name.includes('..')) return null;
  const dot = name.lastIndexOf('.');
  if (dot === -1 || !(name.slice(dot) in TYPES)) return null;
  return name;
}

function load(name: string): Entry | null {
  let st: fs.Stats;
  const file = new URL(name, WEB_DIR);
  try {
    st = fs.statSync(file);
  } catch {
    cache.delete(name);
    return null;
  }
  if (!st.isFile()) return null;
  const hit = cache.get(name);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const body = fs.readFileSync(file);
  const type = TYPES[name.slice(name.lastIndexOf('.'))]!;
  // Compress text only, and only when it pays.
  const compressible = type !== 'image/png' && body.length > 512;
  const gz = compressible ? zlib.gzipSync(body, { level: 9 }) : null;
  const entry: Entry = {
    mtimeMs: st.mtimeMs,
    size: st.size,
    body,
    gzip: gz && gz.length < body.length ? gz : null,
    etag: `"${crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
    type,
  };
  cache.set(name, entry);
  return entry;
}

const MISSING_BUILD =
  '<!doctype html><meta charset="utf-8"><title>Shoal</title><h1>Shoal</h1>' +
  '<p>The browser client has not been built. Run <code>npm run build</code> (or <code>npm start</code>).</p>';

/**
 * Answers the request if it is for one of the browser client's files; false leaves it to the router.
 * `otherHosts`: the page may play on another host of the world (its CSP lets it open that WebSocket).
 */
export function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, otherHosts = false): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const name = fileNameFor(req.url);
  if (!name) return false;
  const entry = load(name);
  if (!entry) {
    if (name !== 'index.html') return false;
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(MISSING_BUILD) });
    res.end(req.method === 'HEAD' ? undefined : MISSING_BUILD);
    return true;
  }
  const headers: http.OutgoingHttpHeaders = {
    'content-type': entry.type,
    etag: entry.etag,
    // File names carry no hash, so the browser revalidates every time; the ETag makes that a 304.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  if (entry.type.startsWith('text/html')) {
    headers['content-security-policy'] = otherHosts ? CSP_WORLD : CSP;
    headers['referrer-policy'] = 'no-referrer';
  }
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === entry.etag)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  const accepts = String(req.headers['accept-encoding'] ?? '');
  const useGzip = entry.gzip !== null && /\bgzip\b/.test(accepts);
  const body = useGzip ? entry.gzip! : entry.body;
  if (useGzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
