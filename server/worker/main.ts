// A worker process: runs rooms. The primary hands it connections (socket plus the bytes it read
// to classify them); HTTP and WebSocket share one http.Server that never listens on its own.
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';
import { AggregatorRegistry } from 'prom-client';
import { encode } from '../../shared/protocol/codec.js';
import { PROTOCOL_LIMITS, ROOM_ID_PATTERN } from '../../shared/protocol/limits.js';
import type { HelloMsg } from '../../shared/protocol/messages.js';
import type { Config } from '../config/schema.js';
import { arena } from '../game/arena/arena.js';
import { createLogger } from '../log/logger.js';
import { connectionsOpen, connectionsTotal, registry, relayedTotal, setProcessLabel } from '../metrics/registry.js';
import { createRouter } from '../http/router.js';
import { guardRequestHeads } from '../http/head-timeout.js';
import { ClientSession } from './client-session.js';
import { RelayConn } from './relay-conn.js';
import { TcpConn } from './tcp-conn.js';
import { WsConn } from './ws-conn.js';
import { WorkerRuntime } from './runtime.js';
import type { Conn } from './conn.js';
import { adminHandler } from './admin.js';

void AggregatorRegistry;
const config: Config = JSON.parse(process.env.SHOAL_CONFIG_JSON!);
const slot = Number(process.env.SHOAL_WORKER_SLOT);
const startedAt = Number(process.env.SHOAL_STARTED_AT);
const log = createLogger('worker', config.logLevel, { slot });
setProcessLabel(`worker-${slot}`);

process.on('uncaughtException', (err) => {
  log.fatal({ err, code: 'WORKER_CRASH' }, 'uncaught exception; exiting for a restart');
  process.exit(70);
});
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const rt = new WorkerRuntime(config, slot, arena, log, process.env.SHOAL_COORD_SOCKET!);
const send = (m: object) => {
  if (process.connected) process.send!(m);
};

// --- connection bookkeeping ----------------------------------------------------------------

let closedAddrs: string[] = [];
function track(conn: Conn, session: ClientSession): void {
  rt.sessions.add(session);
  connectionsTotal.inc({ transport: conn.transport });
  connectionsOpen.inc({ transport: conn.transport });
  const prev = conn.onClose;
  conn.onClose = () => {
    connectionsOpen.dec({ transport: conn.transport });
    if (conn.transport !== 'relay') closedAddrs.push(conn.address);
    prev();
  };
}
// The primary counts connections per address; closes go back to it in batches.
setInterval(() => {
  if (closedAddrs.length === 0) return;
  send({ t: 'conn.closed', addrs: closedAddrs });
  closedAddrs = [];
}, 100).unref();

// --- metrics and stats over the primary --------------------------------------------------------

let metricsSeq = 0;
const metricsWaiting = new Map<number, (text: string) => void>();

const router = createRouter({
  stats: () => rt.link.request('stats', {}),
  leaderboard: (limit) => rt.link.request('leaderboard', { limit }),
  uptimeSeconds: () => (Date.now() - startedAt) / 1000,
  metrics: () =>
    new Promise<string>((resolve, reject) => {
      const id = ++metricsSeq;
      const timer = setTimeout(() => {
        metricsWaiting.delete(id);
        reject(new Error('metrics collection timed out'));
      }, 3000);
      metricsWaiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      send({ t: 'metrics.collect', id });
    }),
});

const server = http.createServer(
  {
    requestTimeout: 30_000,
    headersTimeout: config.httpHeadersTimeoutMs,
    keepAliveTimeout: 5000,
    maxHeaderSize: 16384,
  },
  router,
);
guardRequestHeads(server, config.httpHeadersTimeoutMs);
server.on('clientError', (_err, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  else socket.destroy();
});

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: Math.max(config.maxFrame * 16, 1 << 20),
  perMessageDeflate: false,
  clientTracking: false,
});

interface Routing { hint?: string; at: number; reject?: 'SERVER_FULL' | 'SHUTTING_DOWN' }
const routing = new WeakMap<net.Socket, Routing>();

server.on('upgrade', (req, socket: net.Socket, head) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const r = routing.get(socket) ?? { at: Date.now() };
  wss.handleUpgrade(req, socket, head, (ws) => {
    const conn = new WsConn(ws, socket.remoteAddress ?? 'unknown', config.maxFrame, config.maxOutboundBytes);
    // The query's room and token stand in for what the hello leaves out (same values by contract).
    const q = url.searchParams;
    const room = q.get('room') ?? undefined;
    const token = q.get('token') ?? undefined;
    const session = new ClientSession(rt, conn, r.at, r.hint, {
      room: room && ROOM_ID_PATTERN.test(room) ? room : undefined,
      token: token && token.length <= PROTOCOL_LIMITS.tokenMax ? token : undefined,
    });
    track(conn, session);
    if (r.reject) conn.error(r.reject, r.reject === 'SERVER_FULL' ? 'too many connections' : 'the server is shutting down');
  });
});

// Idle and half-open peers: one sweep over every connection, never a timer per socket.
setInterval(() => {
  const now = Date.now();
  for (const s of rt.sessions) s.conn.checkIdle(now, config.idleTimeoutMs);
}, Math.min(Math.max(config.idleTimeoutMs / 6, 250), 10_000)).unref();

function takeTcp(sock: net.Socket, r: Routing): void {
  const conn = new TcpConn(sock, config.maxFrame, config.maxOutboundBytes);
  const session = new ClientSession(rt, conn, r.at, r.hint);
  track(conn, session);
  if (r.reject) conn.error(r.reject, r.reject === 'SERVER_FULL' ? 'too many connections' : 'the server is shutting down');
}

// --- relay between workers ---------------------------------------------------------------------

let relaySeq = 0;
const relayedOut = new Map<string, ClientSession>(); // we hold the socket
const relayedIn = new Map<string, RelayConn>(); // we run the room

rt.relay = (session, toSlot, hello) => {
  if (!process.connected) return false;
  const rid = `${slot}.${++relaySeq}`;
  relayedTotal.inc();
  relayedOut.set(rid, session);
  session.relayTo = (body) => send({ t: 'relay.in', to: toSlot, rid, data: body });
  const prev = session.conn.onClose;
  session.conn.onClose = () => {
    relayedOut.delete(rid);
    send({ t: 'relay.close', to: toSlot, rid });
    prev();
  };
  send({ t: 'relay.open', to: toSlot, from: slot, rid, hello, address: session.conn.address });
  return true;
};

function onRelay(m: { t: string; rid: string; from?: number; hello?: HelloMsg; address?: string; data?: Uint8Array }): void {
  switch (m.t) {
    case 'relay.open': {
      const conn = new RelayConn(m.rid, m.from!, m.address ?? 'relay', send);
      relayedIn.set(m.rid, conn);
      const session = new ClientSession(rt, conn, Date.now());
      track(conn, session);
      const prev = conn.onClose;
      conn.onClose = () => {
        relayedIn.delete(m.rid);
        prev();
      };
      session.receive(Buffer.from(encode(m.hello)));
      return;
    }
    case 'relay.in':
      relayedIn.get(m.rid)?.onMessage(toBuffer(m.data!));
      return;
    case 'relay.out':
      relayedOut.get(m.rid)?.conn.sendFramed(toBuffer(m.data!));
      return;
    case 'relay.close': {
      const inbound = relayedIn.get(m.rid);
      if (inbound) inbound.remoteClosed();
      relayedOut.get(m.rid)?.conn.close();
      return;
    }
  }
}

function noop(): void {}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

// --- messages from the primary -----------------------------------------------------------------

interface ConnMsg { t: 'conn'; kind: 'tcp' | 'http'; head: Uint8Array; at: number; hint?: string; reject?: Routing['reject'] }

process.on('message', (m: any, handle?: net.Socket) => {
  if (!m || typeof m.t !== 'string') return;
  if (m.t === 'alive?') {
    send({ t: 'alive' });
    return;
  }
  if (m.t === 'conn') {
    const cm = m as ConnMsg;
    send({ t: 'conn.ack' });
    const sock = handle;
    if (!sock) return;
    const r: Routing = { at: cm.at, hint: cm.hint, reject: rt.shuttingDown ? 'SHUTTING_DOWN' : cm.reject };
    // Put back what the primary read to classify the connection, then read on from there.
    if (cm.head && cm.head.byteLength) sock.unshift(toBuffer(cm.head));
    if (cm.kind === 'tcp') takeTcp(sock, r);
    else {
      routing.set(sock, r);
      server.emit('connection', sock);
      // http.Server lets its C++ parser read the socket's handle directly, which would put
      // the bytes read after the hand-off ahead of the ones we just unshifted. Adding a 'data'
      // listener makes it read through the stream instead (public API), so order is kept.
      sock.on('data', noop);
    }
    sock.resume();
    return;
  }
  if (m.t.startsWith('relay.')) return onRelay(m);
  if (m.t === 'metrics.get') {
    registry.getMetricsAsJSON().then((data) => send({ t: 'metrics.json', id: m.id, data }));
    return;
  }
  if (m.t === 'metrics.result') {
    metricsWaiting.get(m.id)?.(m.text);
    metricsWaiting.delete(m.id);
    return;
  }
  if (m.t === 'shutdown') {
    void shutdown(m.reason ?? 'shutdown');
    return;
  }
  for (const h of extraHandlers) if (h(m)) return;
});

/** Other modules (console commands, world API) take the primary's messages they know. */
const extraHandlers: Array<(m: any) => boolean> = [];
export function onPrimaryMessage(h: (m: any) => boolean): void {
  extraHandlers.push(h);
}
export { rt, send as sendToPrimary };
onPrimaryMessage(adminHandler(rt, send)); // operator console requests

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ reason, rooms: rt.rooms.size, players: rt.playerCount() }, 'worker shutting down');
  await rt.shutdown(reason);
  // Give byes a moment to leave before the sockets go.
  setTimeout(() => {
    rt.link.stop();
    process.exit(0);
  }, 200);
}

// The primary is gone: nothing can reach this worker any more, so go too (no orphans on the port).
process.on('disconnect', () => {
  void shutdown('shutdown');
  setTimeout(() => process.exit(0), 2000).unref();
});
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});

rt.start();
void rt.ready.then(() => {
  send({ t: 'ready', pid: process.pid });
  log.info({ rooms: rt.rooms.size }, 'worker ready');
});
