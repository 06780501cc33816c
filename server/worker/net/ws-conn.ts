// A game client on WebSocket: one binary message holds one MessagePack map. Shoal speaks the
// server side of RFC 6455 itself (ws-upgrade.ts answers the upgrade, WsReader reads the frames):
// the ws library's WebSocket, Receiver stream and Sender cost ~800 B and a stream write per
// frame on every connection, for features a game connection never uses.
import type net from 'node:net';
import { unframe } from '../../../shared/protocol/framing.js';
import { wsBinaryFrame } from '../../../shared/protocol/ws-frame.js';
import { WsReader, type WsReadFail, type WsReadSink } from '../../../shared/protocol/ws-reader.js';
import type { Outbound } from '../rooms/outbound.js';
import { Conn } from './conn.js';

/** An empty ping, the same bytes for every connection. */
const PING = Buffer.from([0x89, 0x00]);
/** How long a close handshake may take before the socket is dropped. */
const CLOSE_WAIT_MS = 2000;
/** The connection a socket belongs to, for listeners shared by every connection. */
const CONN = Symbol('wsConn');
type Owned = net.Socket & { [CONN]: WsConn };

export class WsConn extends Conn implements WsReadSink {
  readonly transport = 'ws' as const;
  private readonly reader: WsReader;
  /** Our close frame is written. */
  private closeSent = false;

  constructor(
    private readonly socket: net.Socket,
    address: string,
    maxFrame: number,
    private readonly maxOutbound: number,
  ) {
    super(address);
    // An unfinished message may span its payload and as much again in frame headers and
    // interleaved control frames, and must average 64 bytes a read; past that it is refused.
    this.reader = new WsReader(this, maxFrame, 2 * maxFrame, Math.max(256, Math.ceil(maxFrame / 64)));
    (socket as Owned)[CONN] = this;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('end', onEnd);
  }

  /** Reads bytes the socket brought (or the upgrade request's trailing bytes). */
  read(chunk: Buffer): void {
    const now = Date.now();
    this.lastIn = now;
    this.reader.push(chunk, now);
  }

  wsMessage(body: Buffer): void {
    if (!this.ending) this.onMessage(body);
  }

  wsPing(payload: Buffer): void {
    if (this.ending) return;
    const pong = Buffer.allocUnsafe(2 + payload.length);
    pong[0] = 0x8a;
    pong[1] = payload.length;
    payload.copy(pong, 2);
    this.writeFrame(pong);
  }

  wsPong(): void {}

  /** The peer's close: echoed with its code (unless ours went first), then the socket ends. */
  wsClose(code: number): void {
    if (!this.closeSent) {
      this.ending = true;
      this.sendClose(code === 1005 ? 0 : code, '');
    }
    this.socket.end();
  }

  wsFail(why: WsReadFail, detail: number): void {
    const max = this.reader.maxMessage;
    switch (why) {
      case 'too-large':
        return this.error('FRAME_TOO_LARGE', `message of ${detail} bytes or more is over the limit of ${max}`);
      case 'too-spread':
        return this.error('FRAME_TOO_LARGE', `an unfinished message spans more than ${2 * max} bytes`);
      case 'text':
        return this.closeWith(1003, 'binary messages only');
      case 'utf8':
        return this.closeWith(1007, 'invalid UTF-8 in the close reason');
      case 'too-many-reads':
        return this.closeWith(1008, 'message arrived in too many pieces');
      default:
        return this.closeWith(1002, 'protocol error');
    }
  }

  /*
   * Our messages go to the socket as whole frames we built (one write each; a broadcast's frame is
   * built once for all its players). Control frames (pong, ping, close) are written the same way,
   * so everything reaches the peer in the order written.
   */
  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending) return;
    this.writeFrame(wsBinaryFrame(unframe(framed)));
  }

  override sendOut(out: Outbound): void {
    if (this.closed || this.ending) return;
    this.writeFrame(out.wsFrame());
  }

  override get queuedBytes(): number {
    return this.socket.writableLength;
  }

  private writeFrame(frame: Buffer): void {
    const socket = this.socket;
    if (!socket.writable) return;
    socket.write(frame);
    const queued = socket.writableLength;
    if (queued > this.maxOutbound) this.cutSlowReader(queued);
  }

  protected override messageSince(): number {
    return this.reader.since;
  }

  /**
   * A quiet WebSocket peer is pinged; any browser answers, so only a half-open or dead peer stays
   * silent long enough to be dropped.
   */
  override checkIdle(now: number, idleMs: number, messageMs: number): void {
    if (this.stalledMessage(now, messageMs)) return;
    if (now - this.lastIn > idleMs) this.destroy();
    else if (now - this.lastIn > idleMs / 3 && !this.ending) this.writeFrame(PING);
  }

  /** Closes with a code of ours (a protocol error): our close frame, then the handshake's end. */
  private closeWith(code: number, reason: string): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.sendClose(code, reason);
  }

  protected end(): void {
    this.sendClose(1000, '');
  }

  /** Writes our close frame; the peer's answer ends the socket, or CLOSE_WAIT_MS does. */
  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    // Messages still arriving are skipped unbuffered; the peer's close is still read.
    this.reader.discard();
    const r = Buffer.from(reason);
    const len = code === 0 ? 0 : 2 + r.length;
    const frame = Buffer.allocUnsafe(2 + len);
    frame[0] = 0x88;
    frame[1] = len;
    if (code !== 0) {
      frame.writeUInt16BE(code, 2);
      r.copy(frame, 4);
    }
    this.writeFrame(frame);
    // A reader that stopped (a bad frame) will not read the peer's answer: end our side now.
    if (this.reader.stopped) this.socket.end();
    setTimeout(destroyLate, CLOSE_WAIT_MS, this.socket).unref();
  }

  destroy(): void {
    this.reader.stop();
    this.socket.destroy();
  }

  /** The socket is gone. */
  gone(): void {
    this.reader.stop();
    this.closedNow();
  }
}

// Listeners shared by every connection (this: the socket) rather than a closure each.
function onData(this: Owned, chunk: Buffer): void {
  this[CONN].read(chunk);
}
function onClose(this: Owned): void {
  this[CONN].gone();
}
function onEnd(this: net.Socket): void {
  this.end();
}
function destroyLate(socket: net.Socket): void {
  socket.destroy();
}
