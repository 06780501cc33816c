// Owns the game port. Each connection is accepted paused, read only until its protocol and route
// are certain (however the first bytes are split into packets), then handed, with the bytes read,
// to the worker that should run it. Bytes that reach us while a socket waits for its hand-off stay
// in its stream buffer; they are drained into the hand-off, and the socket stops reading, in the
// same turn as the send, so nothing read here is lost. Hand-offs to one worker are pipelined (up
// to MAX_IN_FLIGHT awaiting the worker's acknowledgement), which is safe because a socket handed
// off reads nothing more here however long Node's IPC takes to transfer it.
import net from 'node:net';
import type { Logger } from 'pino';
import { encodeFramed } from '../../../shared/protocol/framing.js';
import { errorMsg } from '../../../shared/protocol/messages.js';
import type { Config } from '../../config/schema.js';
import { classifiedTotal, registerConnectionBooks, refusedTotal, routedTotal, type ConnBooks, type ConnKind, type RefusalReason } from '../../metrics/connections.js';
import { sendToChild } from '../supervision/child-send.js';
import { classify, looksLikeHttp, requestPath, type Classified } from './classifier.js';
import { parseProxyHeader, proxySignature } from './proxy-header.js';
import { parseTrustedProxies, trustedMatcher } from '../../config/trusted-proxies.js';
import type { Slot } from '../supervision/supervisor.js';
import type { HandoffMsg } from '../../ipc/primary-worker.js';

/**
 * Hand-offs given to Node per worker and not yet written to it. Node passes one socket at a time
 * to a child: the next waits in Node's queue for the child's NODE_HANDLE_ACK, which Node's own
 * code sends the moment the child reads the handle, and a send's callback runs once its message
 * is written, so a callback says the one before it was acknowledged. Node takes its whole queue
 * apart and queues the rest again on every ACK (profiled: up to 64 re-queued per ACK when this was
 * 64), so the queue there is kept short; the rest wait here. The worker sends no acknowledgement
 * of its own (it did: a conn.ack message per connection, both processes' work, for what Node
 * already says; it still does for a primary of an older build, which does not set
 * HANDOFF_ACKS_ENV, during a deploy).
 */
export const MAX_IN_FLIGHT = 2;

interface Handoff {
  sock: net.Socket;
  id: number;
  /** address: the client's (from its PROXY header when a trusted balancer sent one). */
  msg: HandoffMsg & { head: Buffer; address: string };
  tries: number;
}

/** One accepted socket in the books: counted from accept until it closes, exactly once. */
interface Counted {
  address: string;
  kind: ConnKind;
  /** The worker holding it once handed off (its close is then reported by that worker). */
  slot?: number;
}

export interface AcceptorDeps {
  config: Config;
  log: Logger;
  /** Workers able to take connections now. */
  running(): Slot[];
  /** Running workers that answer their liveness ping: the ones HTTP requests can go to. */
  responsive(): Slot[];
  /** Which slot runs this connection's room (asks the coordinator). */
  /** `game`: the game the hello asks for, when it could be read (a TCP hello, a /ws?game= query). */
  route(c: { room?: string; token?: string; game?: string }): Promise<{ slot: number; room?: string } | null>;
  /**
   * Where a quick-join of `game` (no room, no token; undefined: the default game) goes, placed
   * here with no round trip (quick-seats.ts), or undefined to ask `route`.
   */
  placeQuick?(game: string | undefined, running: readonly number[], load: (slot: number) => number): number | undefined;
  isBanned(address: string): boolean;
  /** Answers an HTTP request no worker can serve (none answering): status and JSON body, or `text` (/metrics) sent as it is. */
  answerWithoutWorker(path: string, address: string): Promise<{ status: number; body: unknown; text?: string }>;
  /** The books changed for this address (its count, or the game total): readiness pushes what flips. */
  booksChanged?(address: string): void;
  /** setLimits changed a limit. */
  limitsChanged?(): void;
}

const GRACE_MS = 1000;

/** The counter's children, looked up once: a labelled inc() hashes its labels on every call. */
const CLASSIFIED = { tcp: classifiedTotal.labels('tcp'), ws: classifiedTotal.labels('ws'), http: classifiedTotal.labels('http') };
const ROUTED = { primary: routedTotal.labels('primary'), coordinator: routedTotal.labels('coordinator') };

export class Acceptor {
  readonly server: net.Server;
  private readonly queues = new Map<number, { inFlight: number; items: Handoff[] }>();
  /**
   * Every accepted socket, whatever it turns out to be, from accept until it closes. The limits
   * are read from these books; a socket leaves them exactly once (release() is idempotent): on its
   * close here, on its worker's close report, or when its worker dies.
   */
  private readonly books = new Map<number, Counted>();
  private readonly perAddress = new Map<string, number>();
  private readonly bySlot = new Map<number, Set<number>>();
  private readonly open: Record<ConnKind, number> = { unclassified: 0, game: 0, http: 0, refusing: 0 };
  private seq = 0;
  private rr = 0;
  private readonly classifying = new Set<net.Socket>();
  stopping = false;
  private readonly trusted: (address: string) => boolean;

  constructor(private readonly d: AcceptorDeps) {
    this.trusted = trustedMatcher(parseTrustedProxies(d.config.trustedProxies));
    this.server = net.createServer({ pauseOnConnect: true }, (sock) => this.accept(sock));
    this.server.maxConnections = socketCap(d.config.maxConnections);
    registerConnectionBooks(() => this.bookStats());
  }

  /** The connection limits this acceptor enforces now, and the socket cap derived from them. */
  limits(): { maxConnections: number; maxConnectionsPerAddress: number; socketCap: number } {
    return { maxConnections: this.d.config.maxConnections, maxConnectionsPerAddress: this.d.config.maxConnectionsPerAddress, socketCap: this.server.maxConnections };
  }

  /** Changes the connection limits at run time (console `set`); the socket cap follows maxConnections. */
  setLimits(l: { maxConnections?: number; maxConnectionsPerAddress?: number }): void {
    if (l.maxConnections !== undefined) {
      this.d.config.maxConnections = l.maxConnections;
      this.server.maxConnections = socketCap(l.maxConnections);
    }
    if (l.maxConnectionsPerAddress !== undefined) this.d.config.maxConnectionsPerAddress = l.maxConnectionsPerAddress;
    this.d.limitsChanged?.();
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      // The kernel's queue of connections not yet accepted: Node's default (511) drops SYNs of a
      // larger burst, and a dropped SYN costs its client a 1 s retransmit.
      this.server.listen({ port: this.d.config.port, host: this.d.config.host, backlog: this.d.config.listenBacklog }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** open: game connections (what maxConnections limits). */
  stats(): { open: number; addresses: number } {
    return { open: this.open.game, addresses: this.perAddress.size };
  }

  bookStats(): ConnBooks {
    let perAddressMax = 0;
    for (const n of this.perAddress.values()) if (n > perAddressMax) perAddressMax = n;
    const handoffsWaiting: Record<number, number> = {};
    for (const [slot, q] of this.queues) if (q.items.length) handoffsWaiting[slot] = q.items.length;
    return { open: { ...this.open }, addresses: this.perAddress.size, perAddressMax, handoffsWaiting };
  }

  /** Connections turned away since start, by reason (also in /metrics). */
  readonly refusals: Record<RefusalReason, number> = { total: 0, address: 0, address_closed: 0, http: 0, banned: 0, shutting_down: 0, proxy: 0 };

  private refused(reason: RefusalReason): void {
    this.refusals[reason]++;
    refusedTotal.inc({ reason });
  }

  /** Counted sockets from this address now. */
  countOf(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /** Every address with at least n counted sockets. */
  addressesAtLeast(n: number): string[] {
    const out: string[] = [];
    for (const [a, c] of this.perAddress) if (c >= n) out.push(a);
    return out;
  }

  /** Game connections are at maxConnections: a new player would be refused. */
  get totalFull(): boolean {
    return this.open.game >= this.d.config.maxConnections;
  }

  private accept(sock: net.Socket): void {
    const peer = sock.remoteAddress ?? 'unknown';
    sock.on('error', () => {});
    if (this.stopping) {
      this.refused('shutting_down');
      sock.destroy();
      return;
    }
    // A trusted load balancer's connection is counted under its own address until its PROXY header
    // names the client; neither a ban nor the per-address limit applies to the balancer itself,
    // or one ban (or one busy balancer) would lock every client behind it out.
    const viaProxy = this.d.config.proxyProtocol && this.trusted(peer);
    const id = ++this.seq;
    let over = false;
    if (viaProxy) this.count(id, peer, 'unclassified');
    else {
      const a = this.admit(peer);
      if (a === 'closed') return void sock.destroy();
      over = a === 'over';
      this.count(id, peer, over ? 'refusing' : 'unclassified');
    }
    // Until a worker holds it, its close is ours to book.
    sock.once('close', () => {
      if (this.books.get(id)?.slot === undefined) this.release(id);
    });
    this.classifying.add(sock);
    let chunks: Buffer[] = [];
    let size = 0;
    let headerPending = viaProxy;
    const maxHead = Math.max(this.d.config.maxFrame + 4, this.d.config.classifyMaxBytes);
    const timer = setTimeout(() => {
      if (headerPending) return refuseProxy(`no complete PROXY header within ${this.d.config.helloTimeoutMs} ms`);
      cleanup();
      const head = Buffer.concat(chunks);
      // Nothing classifiable in time: a silent client gets HELLO_TIMEOUT in TCP framing.
      if (looksLikeHttp(head)) {
        endThenDestroy(sock, 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      } else {
        endThenDestroy(sock, encodeFramed(errorMsg('HELLO_TIMEOUT', `no hello within ${this.d.config.helloTimeoutMs} ms`)));
      }
    }, this.d.config.helloTimeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      this.classifying.delete(sock);
    };
    const onClose = () => cleanup();
    const refuseProxy = (why: string) => {
      cleanup();
      this.refused('proxy');
      this.d.log.debug({ peer, why }, 'PROXY header refused');
      endThenDestroy(sock, `PROXY header refused: ${why}\r\n`);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      let head = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
      chunks = [head];
      if (headerPending) {
        const h = parseProxyHeader(head);
        if (h.kind === 'more') return;
        if (h.kind === 'bad') return refuseProxy(h.reason);
        headerPending = false;
        // The client's own bytes start after the header; the worker never sees it.
        head = head.subarray(h.length);
        chunks = [head];
        size = head.length;
        // No client named (v2 LOCAL, v1 UNKNOWN): the balancer's own connection, its health
        // check, which a ban on the balancer's address must not fail.
        if (h.source !== undefined) {
          // Judged before this socket joins the client's count, as a direct one is at accept.
          const a = this.admit(h.source);
          this.rebook(id, h.source);
          if (a === 'closed') {
            cleanup();
            return void sock.destroy();
          }
          over = a === 'over';
          if (over) this.setKind(id, 'refusing');
        }
        if (head.length === 0) return;
      } else if (this.d.config.proxyProtocol) {
        // Only a trusted balancer may say who the client is.
        const sig = proxySignature(head);
        if (sig === 'maybe') return;
        if (sig === 'yes') return refuseProxy('not sent from a trusted proxy');
      }
      let c: Classified = classify(head, this.d.config.maxFrame, this.d.config.classifyMaxBytes);
      if (c.kind === 'more' && size >= maxHead) c = looksLikeHttp(head) ? { kind: 'http', ws: false } : { kind: 'tcp' };
      if (c.kind === 'more') return;
      sock.pause();
      cleanup();
      void this.decide(sock, id, over, c, head);
    };
    sock.on('data', onData);
    sock.on('close', onClose);
    sock.resume();
  }

  /**
   * Whether a connection from this client address may go on: 'closed' (banned, or past the
   * per-address limit and its refusals: closed unread), 'over' (past the limit: told SERVER_FULL
   * in its own framing) or 'ok'. Counts the refusal.
   */
  private admit(address: string): 'ok' | 'over' | 'closed' {
    if (this.d.isBanned(address)) {
      this.refused('banned');
      return 'closed';
    }
    const n = this.perAddress.get(address) ?? 0;
    const cap = this.d.config.maxConnectionsPerAddress;
    if (n >= cap + this.d.config.refusalsPerAddress) {
      this.refused('address_closed');
      return 'closed';
    }
    return n >= cap ? 'over' : 'ok';
  }

  private async decide(sock: net.Socket, id: number, over: boolean, c: Exclude<Classified, { kind: 'more' }>, head: Buffer): Promise<void> {
    const game = c.kind === 'tcp' || c.ws;
    (c.kind === 'tcp' ? CLASSIFIED.tcp : c.ws ? CLASSIFIED.ws : CLASSIFIED.http).inc();
    const address = this.books.get(id)?.address ?? sock.remoteAddress ?? 'unknown';
    if (!game) {
      // Plain HTTP: over a limit, or no worker answering, the primary answers itself.
      if (over) return this.refuseHttp(sock, id, 'address', 'too many connections from this address');
      if (this.open.http >= this.d.config.maxHttpConnections) return this.refuseHttp(sock, id, 'http', 'too many HTTP connections');
      this.setKind(id, 'http');
      if (this.d.responsive().length === 0) return this.answerHere(sock, head, address);
      return this.handOff(sock, id, this.pick(undefined, true), { kind: 'http', head, address });
    }
    let reject: HandoffMsg['reject'];
    if (over) {
      this.refused('address');
      reject = 'SERVER_FULL';
    } else if (this.totalFull) {
      this.refused('total');
      reject = 'SERVER_FULL';
      this.setKind(id, 'refusing');
    } else this.setKind(id, 'game');
    if (reject && c.kind === 'tcp') {
      // A TCP refusal needs no worker (its close releases it from the books).
      endThenDestroy(sock, encodeFramed(errorMsg('SERVER_FULL', 'too many connections')));
      return;
    }
    let target: number | undefined;
    let hint: string | undefined;
    // A quick-join whose game is known here (a TCP hello was read whole; a WebSocket says it in
    // its /ws query or not at all) is placed without asking the coordinator.
    const placed = !reject && c.room === undefined && c.token === undefined && (c.kind === 'tcp' ? c.hello : c.game !== undefined)
      ? this.d.placeQuick?.(c.game, this.d.running().map((s) => s.slot), (slot) => this.bySlot.get(slot)?.size ?? 0)
      : undefined;
    if (placed !== undefined) {
      target = placed;
      ROUTED.primary.inc();
    } else if (!reject) {
      ROUTED.coordinator.inc();
      const r = await this.d.route({ room: c.room, token: c.token, game: c.game }).catch(() => null);
      if (r) {
        target = r.slot;
        hint = r.room;
      }
    }
    if (sock.destroyed) return this.release(id);
    this.handOff(sock, id, this.pick(target), { kind: c.kind, head, hint, reject, address });
  }

  private handOff(sock: net.Socket, id: number, slot: number, m: Omit<Handoff['msg'], 't' | 'id'>): void {
    this.enqueue(slot, { sock, id, msg: { t: 'conn', id, ...m }, tries: 0 });
  }

  private refuseHttp(sock: net.Socket, id: number, reason: RefusalReason, message: string): void {
    this.refused(reason);
    this.setKind(id, 'refusing');
    // Additive to /ready's answer shape, so a load balancer probing from a full address reads it too.
    const body = JSON.stringify({ error: 'SERVER_FULL', message, status: 'degraded', reasons: [reason === 'address' ? 'address_full' : 'http_full'] });
    endThenDestroy(sock, httpResponse(503, body));
  }

  private answerHere(sock: net.Socket, head: Buffer, address: string): void {
    this.d.answerWithoutWorker(requestPath(head), address).then(
      (a) =>
        !sock.destroyed &&
        endThenDestroy(sock, a.text !== undefined ? httpResponse(a.status, a.text, PROM_TEXT) : httpResponse(a.status, JSON.stringify(a.body))),
      () => sock.destroy(),
    );
  }

  /** The wanted slot if it is running, else round robin over the running ones. */
  private pick(want?: number, http = false): number {
    const running = http ? this.d.responsive() : this.d.running();
    if (want !== undefined && running.some((s) => s.slot === want)) return want;
    if (running.length === 0) return want ?? 0;
    return running[this.rr++ % running.length]!.slot;
  }

  private enqueue(slot: number, h: Handoff): void {
    let q = this.queues.get(slot);
    if (!q) this.queues.set(slot, (q = { inFlight: 0, items: [] }));
    q.items.push(h);
    this.pump(slot);
  }

  private pump(slot: number): void {
    const q = this.queues.get(slot);
    if (!q) return;
    const s = this.d.running().find((x) => x.slot === slot);
    if (!s) {
      // Not running (restarting): wait for it briefly, then go elsewhere.
      if (q.items.length) setTimeout(() => this.reroute(slot), 200).unref();
      return;
    }
    while (q.inFlight < MAX_IN_FLIGHT && q.items.length) {
      const h = q.items.shift()!;
      if (h.sock.destroyed) {
        this.release(h.id);
        continue;
      }
      // Same turn as the send: nothing can arrive between the drain and the hand-off.
      const extra = drainAndStopReading(h.sock);
      if (extra.length) h.msg.head = Buffer.concat([h.msg.head, ...extra]);
      q.inFlight++;
      // Before the send: the primary's copy closes once the handle is passed, and from then on the
      // worker reports the close.
      this.hold(h.id, slot);
      sendToChild(s.worker!, h.msg, h.sock, (err) => {
        q.inFlight = Math.max(0, q.inFlight - 1);
        if (err) {
          this.unhold(h.id);
          this.retry(h);
        } else this.pump(slot);
      });
    }
  }

  private retry(h: Handoff): void {
    if (h.sock.destroyed || ++h.tries > 3 || !this.books.has(h.id)) {
      h.sock.destroy();
      this.release(h.id);
      return;
    }
    this.enqueue(this.pick(), h);
  }

  /** A worker is gone: what waited for it picks again. */
  workerGone(slot: number): void {
    // Its connections died with it.
    const ids = this.bySlot.get(slot);
    if (ids) {
      this.bySlot.delete(slot);
      for (const id of ids) this.release(id);
    }
    const q = this.queues.get(slot);
    if (!q) return;
    q.inFlight = 0;
    setTimeout(() => this.reroute(slot), 300).unref();
  }

  private reroute(slot: number): void {
    const q = this.queues.get(slot);
    if (!q) return;
    if (this.d.running().some((s) => s.slot === slot)) return this.pump(slot);
    const items = q.items;
    q.items = [];
    for (const h of items) this.retry(h);
  }

  /** Sockets a worker held have closed. */
  released(slot: number, ids: number[]): void {
    for (const id of ids) if (this.books.get(id)?.slot === slot) this.release(id);
  }

  private count(id: number, address: string, kind: ConnKind): void {
    this.books.set(id, { address, kind });
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.open[kind]++;
    this.d.booksChanged?.(address);
  }

  /** Moves a counted socket to another address (its PROXY header named the client). */
  private rebook(id: number, address: string): void {
    const c = this.books.get(id);
    if (!c || c.address === address) return;
    this.dropAddress(c.address);
    c.address = address;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.d.booksChanged?.(address);
  }

  private dropAddress(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
    this.d.booksChanged?.(address);
  }

  private setKind(id: number, kind: ConnKind): void {
    const c = this.books.get(id);
    if (!c || c.kind === kind) return;
    const was = c.kind;
    this.open[c.kind]--;
    this.open[kind]++;
    c.kind = kind;
    if (kind === 'game' || was === 'game') this.d.booksChanged?.(c.address);
  }

  private hold(id: number, slot: number): void {
    const c = this.books.get(id);
    if (!c) return;
    c.slot = slot;
    let ids = this.bySlot.get(slot);
    if (!ids) this.bySlot.set(slot, (ids = new Set()));
    ids.add(id);
  }

  private unhold(id: number): void {
    const c = this.books.get(id);
    if (!c || c.slot === undefined) return;
    this.bySlot.get(c.slot)?.delete(id);
    c.slot = undefined;
  }

  /** Takes a socket out of the books; a second call for the same socket does nothing. */
  private release(id: number): void {
    const c = this.books.get(id);
    if (!c) return;
    this.books.delete(id);
    if (c.slot !== undefined) this.bySlot.get(c.slot)?.delete(id);
    this.open[c.kind]--;
    this.dropAddress(c.address);
  }

  close(): void {
    this.stopping = true;
    this.server.close();
    // Connections still being classified hear why they are turned away (TCP framing: a WebSocket
    // or HTTP client reads a closed connection as the same answer).
    const bye = encodeFramed(errorMsg('SHUTTING_DOWN', 'the server is shutting down'));
    for (const s of this.classifying) endThenDestroy(s, bye);
  }
}

const PROM_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The hard cap on sockets the server accepts at all, derived from maxConnections: room for as
 * many again being classified or refused, and a margin for HTTP.
 */
export function socketCap(maxConnections: number): number {
  return maxConnections * 2 + 1024;
}

function httpResponse(status: number, body: string, contentType = 'application/json; charset=utf-8'): string {
  const reason = status === 200 ? 'OK' : status === 503 ? 'Service Unavailable' : status === 404 ? 'Not Found' : 'Error';
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${contentType}\r\ncache-control: no-store\r\n` +
    `connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/**
 * Sends a last answer and closes. Destroying in the same turn would drop the unsent answer, and
 * closing with unread input makes the kernel reset the connection, which can discard what the peer
 * has not read yet; so the socket is ended and destroyed only after a short grace.
 */
function endThenDestroy(sock: net.Socket, last: string | Uint8Array): void {
  sock.end(last);
  const t = setTimeout(() => sock.destroy(), GRACE_MS);
  t.unref();
  sock.once('close', () => clearTimeout(t));
}

/**
 * Takes the bytes buffered in the primary since classification and stops the handle reading.
 * Node has no public call that stops a server socket's reads (pause() only stops 'data' events;
 * the handle keeps reading until its buffer fills), and after a hand-off the primary's copy of
 * the handle drops whatever it still reads until the worker's acknowledgement arrives: bytes lost
 * for good. Stopping the read here is the one place Shoal touches a socket's handle, in the
 * primary only; the worker puts the bytes back with the public socket.unshift().
 */
function drainAndStopReading(sock: net.Socket): Buffer[] {
  const parts: Buffer[] = [];
  let chunk: Buffer | null;
  while ((chunk = sock.read() as Buffer | null) !== null) parts.push(chunk);
  const handle = (sock as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
  return parts;
}
