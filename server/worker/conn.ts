// A client connection as the worker sees it, whatever the transport. Messages leave pre-encoded
// (TCP framing included; other transports strip the header), so a broadcast encodes once.
import { encodeFramed } from '../../shared/protocol/framing.js';
import { errorMsg, type ByeReason, type ErrorCode, type ServerMessage } from '../../shared/protocol/messages.js';
import { errorsSent, messagesOut } from '../metrics/registry.js';

export type TransportKind = 'tcp' | 'ws' | 'relay';

export abstract class Conn {
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

  constructor(readonly address: string) {}

  /** Writes a buffer made by encodeFramed. */
  abstract sendFramed(framed: Buffer): void;
  /** Called periodically: drop a peer silent for longer than idleMs. */
  checkIdle(now: number, idleMs: number): void {
    if (now - this.lastIn > idleMs) this.destroy();
  }

  /** Ends the connection after what was written so far. */
  protected abstract end(): void;
  /** Drops the connection at once. */
  abstract destroy(): void;

  send(msg: ServerMessage): void {
    if (this.closed || this.ending) return;
    messagesOut.inc();
    this.sendFramed(encodeFramed(msg));
  }

  /** Sends an error; a fatal one closes the connection. */
  error(code: ErrorCode, message: string): void {
    errorsSent.inc({ code });
    const m = errorMsg(code, message);
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
