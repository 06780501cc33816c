// Owns the game port. Each connection is accepted paused, read only until its protocol and route
// are certain (however the first bytes are split into packets), then handed, with the bytes read,
// to the worker that should run it. Bytes that reach us while a socket waits for its hand-off stay
// in its stream buffer; they are drained into the hand-off, and the socket stops reading, in the
// same turn as the send, so nothing read here is lost. Hand-offs to one worker are pipelined (up
// to MAX_IN_FLIGHT awaiting the worker's acknowledgement), which is safe because a socket handed
// off reads nothing more here however long Node's IPC takes to transfer it.
import net from 'node:net';
import type { Logger } from 'pino';
import { encodeFramed } from '../../shared/protocol/framing.js';
import { errorMsg } from '../../shared/protocol/messages.js';
import type { Config } from '../config/schema.js';
import { connectionsTotal } from '../metrics/registry.js';
import { sendToChild } from './child-send.js';
import { classify, type Classified } from './classifier.js';

const MAX_IN_FLIGHT = 64;
import type { Slot } from './supervisor.js';

interface Handoff {
  sock: net.Socket;
  /** A game connection, counted against the connection limits until its worker reports it closed. */
  counted: boolean;
  address: string;
  msg: { t: 'conn'; kind: 'tcp' | 'http'; head: Buffer; hint?: string; reject?: string };
  tries: number;
}

export interface AcceptorDeps {
  config: Config;
  log: Logger;
  /** Workers able to take connections now. */
  running(): Slot[];
  /** Which slot runs this connection's room (asks the coordinator). */
  route(c: { room?: string; token?: string }): Promise<{ slot: number; room?: string } | null>;
  isBanned(address: string): boolean;
}

export class Acceptor {
  readonly server: net.Server;
  private readonly queues = new Map<number, { inFlight: number; items: Handoff[] }>();
  private readonly perAddress = new Map<string, number>();
  /** Counted connections each worker slot holds, so a dead worker's connections are released. */
  private readonly held = new Map<number, Map<string, number>>();
  private total = 0;
  private rr = 0;
  private readonly classifying = new Set<net.Socket>();
  stopping = false;

  constructor(private readonly d: AcceptorDeps) {
    this.server = net.createServer({ pauseOnConnect: true }, (sock) => this.accept(sock));
    this.server.maxConnections = d.config.maxConnections * 2 + 1024;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.d.config.port, this.d.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  stats(): { open: number; addresses: number } {
    return { open: this.total, addresses: this.perAddress.size };
  }

  private accept(sock: net.Socket): void {
    const address = sock.remoteAddress ?? 'unknown';
    sock.on('error', () => {});
    if (this.stopping || this.d.isBanned(address)) {
      sock.destroy();
      return;
    }
    this.classifying.add(sock);
    let chunks: Buffer[] = [];
    let size = 0;
    const maxHead = Math.max(this.d.config.maxFrame + 4, this.d.config.classifyMaxBytes);
    const timer = setTimeout(() => {
      // Nothing classifiable in time: a silent client gets HELLO_TIMEOUT in TCP framing.
      cleanup();
      const head = Buffer.concat(chunks);
      if (head.length > 0 && head[0]! >= 0x41 && head[0]! <= 0x5a) {
        sock.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      } else {
        sock.end(encodeFramed(errorMsg('HELLO_TIMEOUT', `no hello within ${this.d.config.helloTimeoutMs} ms`)));
      }
      setTimeout(() => sock.destroy(), 1000).unref();
    }, this.d.config.helloTimeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      this.classifying.delete(sock);
    };
    const onClose = () => cleanup();
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
      chunks = [head];
      let c: Classified = classify(head, this.d.config.maxFrame, this.d.config.classifyMaxBytes);
      if (c.kind === 'more' && size >= maxHead) c = head[0]! >= 0x41 && head[0]! <= 0x5a ? { kind: 'http', ws: false } : { kind: 'tcp' };
      if (c.kind === 'more') return;
      sock.pause();
      cleanup();
      void this.decide(sock, c, head);
    };
    sock.on('data', onData);
    sock.on('close', onClose);
    sock.resume();
  }

  private async decide(sock: net.Socket, c: Exclude<Classified, { kind: 'more' }>, head: Buffer): Promise<void> {
    const game = c.kind === 'tcp' || c.ws;
    connectionsTotal.inc({ transport: c.kind === 'tcp' ? 'tcp' : c.ws ? 'ws' : 'http' });
    let reject: string | undefined;
    let target: number | undefined;
    let hint: string | undefined;
    if (game) {
      const address = sock.remoteAddress ?? 'unknown';
      const n = this.perAddress.get(address) ?? 0;
      if (this.total >= this.d.config.maxConnections || n >= this.d.config.maxConnectionsPerAddress) reject = 'SERVER_FULL';
      this.perAddress.set(address, n + 1);
      this.total++;
      if (!reject) {
        const r = await this.d.route({ room: c.room, token: c.token }).catch(() => null);
        if (r) {
          target = r.slot;
          hint = r.room;
        }
      }
    }
    const address = sock.remoteAddress ?? 'unknown';
    if (sock.destroyed) {
      if (game) this.uncount(address);
      return;
    }
    this.enqueue(this.pick(target), { sock, counted: game, address, msg: { t: 'conn', kind: c.kind, head, hint, reject }, tries: 0 });
  }

  /** The wanted slot if it is running, else round robin over the running ones. */
  private pick(want?: number): number {
    const running = this.d.running();
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
        if (h.counted) this.uncount(h.address);
        continue;
      }
      // Same turn as the send: nothing can arrive between the drain and the hand-off.
      const extra = drainAndStopReading(h.sock);
      if (extra.length) h.msg.head = Buffer.concat([h.msg.head, ...extra]);
      q.inFlight++;
      if (h.counted) {
        let m = this.held.get(slot);
        if (!m) this.held.set(slot, (m = new Map()));
        m.set(h.address, (m.get(h.address) ?? 0) + 1);
      }
      const failed = () => {
        q.inFlight = Math.max(0, q.inFlight - 1);
        if (h.counted) this.dropHeld(slot, h.address);
        this.retry(h);
      };
      sendToChild(s.worker!, h.msg, h.sock, (err) => {
        if (err) failed();
      });
    }
  }

  private retry(h: Handoff): void {
    if (h.sock.destroyed || ++h.tries > 3) {
      h.sock.destroy();
      if (h.counted) this.uncount(h.address);
      return;
    }
    this.enqueue(this.pick(), h);
  }

  /** A worker took a hand-off we sent it. */
  acked(slot: number): void {
    const q = this.queues.get(slot);
    if (!q) return;
    q.inFlight = Math.max(0, q.inFlight - 1);
    this.pump(slot);
  }

  /** A worker is gone: what waited for it picks again. */
  workerGone(slot: number): void {
    // Its connections died with it.
    const m = this.held.get(slot);
    if (m) {
      this.held.delete(slot);
      for (const [a, n] of m) for (let i = 0; i < n; i++) this.uncount(a);
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

  /** Game connections closed in a worker (for the per-address and total limits). */
  released(slot: number, addrs: string[]): void {
    for (const a of addrs) if (this.dropHeld(slot, a)) this.uncount(a);
  }

  private dropHeld(slot: number, a: string): boolean {
    const m = this.held.get(slot);
    const n = m?.get(a);
    if (!m || !n) return false;
    if (n <= 1) m.delete(a);
    else m.set(a, n - 1);
    return true;
  }

  private uncount(a: string): void {
    const n = (this.perAddress.get(a) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(a);
    else this.perAddress.set(a, n);
    if (this.total > 0) this.total--;
  }

  close(): void {
    this.stopping = true;
    this.server.close();
    // Connections still being classified hear why they are turned away (TCP framing: a WebSocket
    // or HTTP client reads a closed connection as the same answer).
    const bye = encodeFramed(errorMsg('SHUTTING_DOWN', 'the server is shutting down'));
    for (const s of this.classifying) {
      s.end(bye);
      setTimeout(() => s.destroy(), 500).unref();
    }
  }
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
  while ((chunk = sock.read()) !== null) parts.push(chunk);
  const handle = (sock as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
  return parts;
}
