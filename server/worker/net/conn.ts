// A client connection as the worker sees it, whatever the transport. Messages leave pre-encoded
// (TCP framing included; other transports strip the header), so a broadcast encodes once.
import { encodeFramed } from '../../../shared/protocol/framing.js';
import { errorMsg, type ByeReason, type ErrorCode } from '../../../shared/protocol/messages.js';
import type { GameServerMessage } from '../../game-api/index.js';
import { errorsSent, messagesOut } from '../../metrics/registry.js';
import type { Outbound } from '../rooms/outbound.js';
import type { TransportKind } from '../rooms/seat-conn.js';
import type { ClientConn } from '../session/client-conn.js';

export abstract class Conn implements ClientConn {
  abstract readonly transport: TransportKind;
  /** Called with each message body (one MessagePack map) the client sent. */
  onMessage: (body: Buffer) => void = () => {};
  /** Called once when the connection is gone, for whatever reason. */
  onClose: () => void = () => {};
  closed = false;
  /** close() was called: nothing more is sent or taken, even before the transport has closed. */
  ending = false;
  /** When the peer last sent anything (messages, or pongs on WebSocket). */
  lastIn = Date.now();
  /** Bytes that were waiting to be sent when this connection was cut off as a slow reader; 0 if not. */
  cutAtBytes = 0;

  constructor(readonly address: string) {}

  /** Bytes written but not yet taken by the kernel; none where this process holds no socket. */
  get queuedBytes(): number {
    return 0;
  }

  /** Writes a buffer made by encodeFramed. */
  abstract sendFramed(framed: Buffer): void;
  /** Writes a message shared by many connections (a broadcast); transports take their own bytes of it. */
  sendOut(out: Outbound): void {
    this.sendFramed(out.framed);
  }
  /**
   * Called periodically: drop a peer silent for longer than idleMs, and one that began a message
   * more than messageMs ago and has not finished it (trickling bytes is not silence, but a
   * half-sent message holds memory for as long as it stays unfinished).
   */
  checkIdle(now: number, idleMs: number, messageMs: number): void {
    if (this.stalledMessage(now, messageMs)) return;
    if (now - this.lastIn > idleMs) this.destroy();
  }

  /** When the unfinished message now being received began (ms), or 0. */
  protected messageSince(): number {
    return 0;
  }

  protected stalledMessage(now: number, messageMs: number): boolean {
    const since = this.messageSince();
    if (since === 0 || now - since <= messageMs || this.ending) return false;
    this.error('MESSAGE_TIMEOUT', `a message begun ${now - since} ms ago is still not complete (limit ${messageMs} ms)`);
    return true;
  }

  /** A reader that does not keep up is cut off rather than allowed to grow our memory. */
  protected cutSlowReader(queued: number): void {
    this.cutAtBytes = queued;
    this.destroy();
  }

  /** Ends the connection after what was written so far. */
  protected abstract end(): void;
  /** Drops the connection at once. */
  abstract destroy(): void;

  send(msg: GameServerMessage): void {
    if (this.closed || this.ending) return;
    messagesOut.inc();
    this.sendFramed(encodeFramed(msg));
  }

  /** Sends an error; a fatal one closes the connection. */
  /** `to`: only with REDIRECT, the host to send the hello to. */
  error(code: ErrorCode, message: string, to?: string): void {
    errorsSent.inc({ code });
    const m = errorMsg(code, message, to);
    this.send(m);
    if (m.fatal) this.close();
  }

  bye(reason: ByeReason): void {
    this.send({ t: 'bye', reason });
    this.close();
  }

  close(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.end();
  }

  /** For subclasses: mark closed and tell the owner, once. */
  protected closedNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
