// An HTTP request whose head arrives in pieces around its hand-off from the primary to a worker is
// read in order: the primary reads the first line to classify it and hands those bytes over with
// the socket; the rest arrives at the worker straight from the socket. The worker's HTTP parser
// reads the socket itself (no JS stream in between), so this guards that the handed-over bytes
// still come first. A second request pipelined behind it is answered after it.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the pieces with the gaps given, then reads until `answers` responses came (or the socket closed). */
function exchange(pieces: string[], gapMs: number, answers: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: server.port, noDelay: true });
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no ${answers} answers in time; got ${JSON.stringify(got)}`));
    }, 5000);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if ((got.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= answers && /\r\n\r\n[\s\S]*\}$/.test(got)) {
        clearTimeout(t);
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
    s.on('error', reject);
    s.once('connect', () => {
      void (async () => {
        for (const [i, p] of pieces.entries()) {
          if (i > 0 && gapMs > 0) await sleep(gapMs);
          s.write(p);
        }
      })();
    });
  });
}

it('reads a head split around the hand-off, and a pipelined request after it, in order', async () => {
  const pieces = ['GET /health HTTP/1.1\r\n', 'Host: x\r\nX-Piece: two\r\n', '\r\nGET /live HTTP/1.1\r\nHost: x\r\n\r\n'];
  // Gaps of 0 (the rest races the hand-off) to a few ms (it arrives just after), many times.
  for (let i = 0; i < 40; i++) {
    const got = await exchange(pieces, i % 5, 2);
    const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses, got).toEqual(['200', '200']);
    expect(got.indexOf('"status":"ok"'), got).toBeLessThan(got.indexOf('"live":true'));
    expect(got).toContain('"ready":true');
  }
}, 60_000);
