// Takes the connections the primary hands this worker: TCP game connections straight to a
// session; HTTP and WebSocket through one http.Server that never listens on its own. Keeps the
// books the primary needs (which of the sockets it handed over have closed) and sweeps idle peers.
import http from 'node:http';
import type net from 'node:net';
import { wsQuery } from '../../net/ws-query.js';
import type { Config } from '../../config/schema.js';
import { forwardedClient, parseTrustedProxies, trustedMatcher } from '../../config/trusted-proxies.js';
import { guardRequestHeads } from '../../http/head-timeout.js';
import { connectionsOpen, connectionsTotal, slowReaderCuts } from '../../metrics/registry.js';
import { ClientSession } from '../session/client-session.js';
import type { Conn } from './conn.js';
import type { SessionOwner } from './session-owner.js';
import { TcpConn } from './tcp-conn.js';
import { WsConn } from './ws-conn.js';
import { answerUpgrade } from './ws-upgrade.js';
import type { HandoffMsg, WorkerToPrimary } from '../../ipc/primary-worker.js';

export type { HandoffMsg };

type Routing = Pick<HandoffMsg, 'hint' | 'reject' | 'address'>;

/** The primary's id of a handed-over socket, kept on the socket for the one shared close listener. */
const HANDOFF_ID = Symbol('handoffId');
type Numbered = net.Socket & { [HANDOFF_ID]: number };

export class Intake {
  private closedIds: number[] = [];
  private readonly routing = new WeakMap<net.Socket, Routing>();
  private readonly http: http.Server;
  private readonly trusted: (address: string) => boolean;
  /**
   * Every handed-over socket's close listener (this: the socket). One function for all rather
   * than a closure per socket: a closure over the hand-off message kept the message, and the
   * bytes the primary read, alive as long as the connection (about 0.8 KB each).
   */
  private readonly socketClosed: (this: Numbered) => void;

  constructor(
    private readonly rt: SessionOwner,
    private readonly config: Config,
    router: http.RequestListener,
    private readonly send: (m: WorkerToPrimary) => void,
  ) {
    this.trusted = trustedMatcher(parseTrustedProxies(config.trustedProxies));
    const closedIds = () => this.closedIds;
    this.socketClosed = function (this: Numbered) {
      closedIds().push(this[HANDOFF_ID]);
    };
    this.http = http.createServer(
      { requestTimeout: 30_000, headersTimeout: config.httpHeadersTimeoutMs, keepAliveTimeout: config.httpKeepAliveMs, maxHeaderSize: 16384 },
      router,
    );
    guardRequestHeads(this.http, config.httpHeadersTimeoutMs);
    this.http.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.http.on('upgrade', (req, socket: net.Socket, head) => this.upgrade(req, socket, head));

    // The primary counts every socket it hands over until it hears it closed; closes go back to it
    // in batches.
    setInterval(() => {
      if (this.closedIds.length === 0) return;
      this.send({ t: 'conn.closed', ids: this.closedIds });
      this.closedIds = [];
    }, 100).unref();
    // Idle and half-open peers: one sweep over every connection, never a timer per socket.
    setInterval(() => {
      const now = Date.now();
      for (const s of rt.sessions) s.conn.checkIdle(now, config.idleTimeoutMs, config.messageTimeoutMs);
    }, Math.min(Math.max(Math.min(config.idleTimeoutMs / 6, config.messageTimeoutMs / 4), 100), 10_000)).unref();
  }

  /** A socket from the primary, with the bytes it read to classify it. */
  take(m: HandoffMsg, sock: net.Socket): void {
    const r: Routing = { hint: m.hint, reject: this.rt.shuttingDown ? 'SHUTTING_DOWN' : m.reject, address: m.address };
    // The socket's own close, whatever it became (a session, a refused or never-upgraded /ws
    // request, HTTP keep-alive, a timed-out head): the one event every path ends in.
    if (sock.destroyed) this.closedIds.push(m.id);
    else {
      (sock as Numbered)[HANDOFF_ID] = m.id;
      sock.on('close', this.socketClosed);
    }
    // Put back what the primary read, then read on from there.
    if (m.head && m.head.byteLength) sock.unshift(toBuffer(m.head));
    if (m.kind === 'tcp') {
      const conn = new TcpConn(sock, m.address ?? sock.remoteAddress ?? 'unknown', this.config.maxFrame, this.config.maxOutboundBytes);
      this.open(conn, new ClientSession(this.rt, conn, r.hint), r);
    } else {
      this.routing.set(sock, r);
      // http.Server's C++ parser then reads the socket's handle directly (no JS stream per read:
      // measured ~25% of a worker's CPU per request under autocannon). Order is kept: the bytes
      // unshifted above are emitted to the parser when the socket resumes, on this turn's
      // nextTick queue, before the event loop can read anything after them from the handle
      // (test/core/http-split-head.test.ts sends heads split around the hand-off).
      this.http.emit('connection', sock);
    }
    sock.resume();
  }

  /**
   * Who sent this request: the address the primary handed over with its socket, or, when that is
   * a trusted proxy, the client its X-Forwarded-For names.
   */
  clientAddress(req: http.IncomingMessage): string {
    const peer = this.routing.get(req.socket)?.address ?? req.socket.remoteAddress ?? 'unknown';
    return forwardedClient(peer, req.headers['x-forwarded-for'], this.trusted);
  }

  /** A hand-off whose socket did not arrive (closed in transit). */
  lost(m: HandoffMsg): void {
    this.closedIds.push(m.id);
  }

  /** Counts a new session's connection and reports its close. */
  track(conn: Conn, session: ClientSession): void {
    this.rt.sessions.add(session);
    connectionsTotal.inc({ transport: conn.transport });
    connectionsOpen.inc({ transport: conn.transport });
    const prev = conn.onClose;
    conn.onClose = () => {
      connectionsOpen.dec({ transport: conn.transport });
      if (conn.cutAtBytes) {
        slowReaderCuts.inc({ transport: conn.transport });
        this.rt.log.warn(
          { transport: conn.transport, address: conn.address, bufferedBytes: conn.cutAtBytes, limit: this.config.maxOutboundBytes },
          'slow reader cut off',
        );
      }
      prev();
    };
  }

  private open(conn: Conn, session: ClientSession, r: Routing): void {
    this.track(conn, session);
    if (r.reject) conn.error(r.reject, r.reject === 'SERVER_FULL' ? 'too many connections' : 'the server is shutting down');
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const r = this.routing.get(socket) ?? {};
    if (!answerUpgrade(req, socket)) return;
    // A game connection from now on: the HTTP routing entry is not needed any more.
    const address = this.clientAddress(req);
    this.routing.delete(socket);
    const conn = new WsConn(socket, address, this.config.maxFrame, this.config.maxOutboundBytes);
    // The query's room and token stand in for what the hello leaves out (same values by contract).
    const session = new ClientSession(this.rt, conn, r.hint, wsQuery(url.searchParams, this.config.authMaxLength));
    this.open(conn, session, r);
    // Frames the client sent behind its request, read after the session is listening.
    if (head.length > 0) conn.read(head);
  }
}

export function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
