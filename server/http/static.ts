// Serves the browser client's built files (dist/web) at /. Placeholder until the browser client lands.
import type http from 'node:http';

export function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.url !== '/' && req.url !== '/index.html') return false;
  const body = '<!doctype html><meta charset="utf-8"><title>Shoal</title><h1>Shoal</h1><p>The browser client is coming.</p>';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
