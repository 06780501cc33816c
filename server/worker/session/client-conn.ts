// What a client session needs of its connection, whatever the transport: bodies in, messages and
// errors out, and word when it is gone. Declared here, beside its user, so sessions depend on no
// transport: worker/net implements it (net -> session -> rooms, see worker/main.ts).
import type { ErrorCode } from '../../../shared/protocol/messages.js';
import type { SeatConn } from '../rooms/seat-conn.js';

export interface ClientConn extends SeatConn {
  /** Called with each message body (one MessagePack map) the client sent. */
  onMessage: (body: Buffer) => void;
  /** Called once when the connection is gone, for whatever reason. */
  onClose: () => void;
  readonly closed: boolean;
  /** close() was called: nothing more is sent or taken, even before the transport has closed. */
  readonly ending: boolean;
  /** Bytes written but not yet taken by the kernel (the transport's outbound queue). */
  readonly queuedBytes: number;
  /** Writes bytes made by encodeFramed (a message encoded elsewhere: a relayed one). */
  sendFramed(framed: Buffer): void;
  /** Ends the connection after what was written so far. */
  close(): void;
  /** Sends an error; a fatal one closes the connection. */
  error(code: ErrorCode, message: string, to?: string): void;
  /** Drops a peer silent for longer than idleMs, or one stalled mid-message for longer than messageMs. */
  checkIdle(now: number, idleMs: number, messageMs: number): void;
}
