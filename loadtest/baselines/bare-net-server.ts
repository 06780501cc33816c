// Baseline: a bare Node `net` server with Shoal's TCP framing (4-byte length + MessagePack map),
// answering hello and ping. `--cluster N` runs it under node:cluster.
import net from 'node:net';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { PROTOCOL_LIMITS } from '../../shared/protocol/limits.js';
import { respond } from './ping-responder.js';
import { runBaseline } from './cluster-or-single.js';

runBaseline(({ port, host }) => {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => {});
    const reader = new FrameReader(PROTOCOL_LIMITS.maxFrame, (body) => {
      const reply = respond(body);
      if (reply) sock.write(frame(reply));
    }, () => sock.destroy());
    sock.on('data', (chunk) => reader.push(chunk));
  });
  return new Promise((resolve) => server.listen({ port, host, backlog: 4096 }, resolve));
});
