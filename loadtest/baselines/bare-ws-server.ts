// Baseline: a bare `ws` WebSocket server on /ws, one binary message per MessagePack map, answering
// hello and ping. `--cluster N` runs it under node:cluster.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { respond } from './ping-responder.js';
import { runBaseline } from './cluster-or-single.js';

runBaseline(({ port, host }) => {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const reply = respond(data as Buffer);
      if (reply) ws.send(reply);
    });
  });
  return new Promise((resolve) => server.listen({ port, host, backlog: 4096 }, resolve));
});
