// Baseline: a bare node:http server answering the same paths as Shoal's HTTP endpoints with
// fixed JSON bodies of a similar size. Run with `--cluster N` for the http scenario.
import http from 'node:http';
import { runBaseline } from './cluster-or-single.js';

const started = Date.now();

runBaseline(({ port, host }) => {
  const server = http.createServer((req, res) => {
    let body: string;
    if (req.url === '/health') {
      body = JSON.stringify({
        status: 'ok', workers: 2, rooms: 0, players: 0, uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      });
    } else if (req.url === '/rooms' || req.url === '/leaderboard') {
      body = '[]';
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen({ port, host, backlog: 4096 }, resolve));
});
