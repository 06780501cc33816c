// A request head must arrive within `ms` of the connection (or of the last response): the
// slowloris guard. Node enforces headersTimeout only for servers that listen themselves; the
// workers' http.Server is fed sockets by the primary, so the guard is kept here.
import type http from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a 408 has to reach the client before the socket is destroyed anyway. */
const GRACE_MS = 1000;

export function guardRequestHeads(server: http.Server, ms: number): void {
  const timers = new WeakMap<Duplex, NodeJS.Timeout>();
  const arm = (sock: Duplex) => {
    clearTimeout(timers.get(sock));
    const t = setTimeout(() => {
      if (!sock.writable) return void sock.destroy();
      // Not destroyed in this turn: that would drop the 408 before it is written. Destroyed only
      // after a grace, since closing with the client's unread trickle in the buffer resets the
      // connection, which can discard the 408 on the client's side.
      sock.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      const g = setTimeout(() => sock.destroy(), GRACE_MS);
      g.unref();
      sock.once('close', () => clearTimeout(g));
    }, ms);
    t.unref();
    timers.set(sock, t);
  };
  const disarm = (sock: Duplex) => clearTimeout(timers.get(sock));
  // One listener for every socket (this: the socket), not a closure each.
  function onClose(this: Duplex): void {
    disarm(this);
  }
  // And one for every response (this: the response), not a closure per request.
  function onFinish(this: http.ServerResponse): void {
    const sock = this.req.socket;
    if (!sock.destroyed) arm(sock);
  }
  server.on('connection', (sock: Duplex) => {
    arm(sock);
    sock.once('close', onClose);
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    disarm(req.socket);
    res.once('finish', onFinish);
  });
  // An upgraded socket is a game connection from now on: nothing of this guard stays with it.
  server.on('upgrade', (req: http.IncomingMessage) => {
    disarm(req.socket);
    timers.delete(req.socket);
    req.socket.off('close', onClose);
  });
}
