// The browser client's files as the server serves them: content types, ETag revalidation, gzip,
// HEAD, and no way out of dist/web. Plain HTTP against a real server; no browser needed.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from './harness.js';

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** A request with the path sent exactly as given (fetch would normalise '..' away). */
function request(port: number, rawPath: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const WEB = path.join(ROOT, 'dist', 'web');

describe('browser client files over HTTP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('serves the page at / and /index.html, with a strict content security policy', async () => {
    const root = await request(server.port, '/');
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(root.headers['content-security-policy']).toContain("default-src 'self'");
    // One host (the file store): the page's WebSocket goes to its own origin only.
    expect(root.headers['content-security-policy']).toContain("connect-src 'self';");
    expect(root.body.toString()).toContain('<canvas id="arena"');
    expect(root.body.toString()).toContain('src="/app.js"');
    const index = await request(server.port, '/index.html?from=test');
    expect(index.status).toBe(200);
    expect(index.headers.etag).toBe(root.headers.etag);
    expect(index.body.equals(fs.readFileSync(path.join(WEB, 'index.html')))).toBe(true);
  });

  it('serves the bundle and the stylesheet with their types, gzip when asked', async () => {
    const js = await request(server.port, '/app.js', { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(zlib.gunzipSync(js.body).equals(fs.readFileSync(path.join(WEB, 'app.js')))).toBe(true);

    const css = await request(server.port, '/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.equals(fs.readFileSync(path.join(WEB, 'app.css')))).toBe(true);
  });

  it('answers a matching If-None-Match with 304 and HEAD without a body', async () => {
    const first = await request(server.port, '/app.js');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await request(server.port, '/app.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const stale = await request(server.port, '/app.js', { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);

    const head = await request(server.port, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(fs.statSync(path.join(WEB, 'index.html')).size);
    expect(head.body.length).toBe(0);
  });

  it('serves nothing outside dist/web and leaves unknown paths to the 404', async () => {
    for (const p of [
      '/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/web/../package.json',
      '//etc/passwd', '/%2fetc%2fpasswd', '/..\\package.json', '/dist/web/app.js', '/.gitignore',
      '/app.js/', '/nope.js', '/app.ts', '/server/http/static.js',
    ]) {
      const r = await request(server.port, p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString(), p).not.toContain('"name": "shoal"');
    }
  });
});
