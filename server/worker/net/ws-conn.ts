// A game client on WebSocket: one binary message holds one MessagePack map.
import type net from 'node:net';
import type { WebSocket } from 'ws';
import { unframe } from '../../../shared/protocol/framing.js';
import { Conn } from './conn.js';
import type { Outbound } from '../rooms/outbound.js';
import { wsBinaryFrame } from '../../../shared/protocol/ws-frame.js';
import { WsInboundGuard } from './ws-inbound-guard.js';

export class WsConn extends Conn {
  readonly transport = 'ws' as const;
  private readonly guard: WsInboundGuard;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: net.Socket,
    address: string,
    maxFrame: number,
    private readonly maxOutbound: number,
  ) {
    super(address);
    // An unfinished message may span its payload and as much again in frame headers and
    // interleaved control frames; past that it is refused like an oversized one.
    this.guard = new WsInboundGuard(maxFrame, 2 * maxFrame);
    // Ahead of ws's own listener, so a message is judged before ws buffers any of it.
    socket.prependListener('data', (chunk: Buffer) => {
      if (this.ending) {
        // Nothing more is taken from a connection being closed: stop reading (ws resumes the
        // socket once after its own error), so a peer that keeps pushing fills its own TCP
        // window instead of our memory.
        socket.pause();
        return;
      }
      const v = this.guard.push(chunk, Date.now());
      if (v === 'too-large') {
        this.error('FRAME_TOO_LARGE', `message of ${this.guard.messageBytes} bytes or more is over the limit of ${maxFrame}`);
      } else if (v === 'too-spread') {
        this.error('FRAME_TOO_LARGE', `an unfinished message spans more than ${2 * maxFrame} bytes`);
      }
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.lastIn = Date.now();
      if (!isBinary) {
        ws.close(1003, 'binary messages only');
        return;
      }
      this.onMessage(data);
    });
    // ws answers pings itself, and drops a peer with more than 60 answers it has not read
    // (maxPendingAutoPongs), so pings cannot grow our buffer either.
    ws.on('ping', () => {
      this.lastIn = Date.now();
    });
    ws.on('pong', () => {
      this.lastIn = Date.now();
    });
    ws.on('error', ignore);
    ws.on('close', () => this.closedNow());
  }

  /*
   * Our messages go to the socket as whole frames we built (one write each; a broadcast's frame is
   * built once for all its players), not through ws.send. Such a frame (FIN, binary, RSV bits
   * clear, unmasked) is valid whether or not permessage-deflate was negotiated: a clear RSV1 marks
   * an uncompressed message (RFC 7692 section 6). ws queues its own control frames (pong, ping,
   * close) only while it compresses a message of ours, which it never does since none goes
   * through it, so they reach the socket in the order they are written, between ours.
   */
  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending || this.ws.readyState !== 1) return;
    this.writeFrame(wsBinaryFrame(unframe(framed)));
  }

  override sendOut(out: Outbound): void {
    if (this.closed || this.ending || this.ws.readyState !== 1) return;
    this.writeFrame(out.wsFrame());
  }

  override get queuedBytes(): number {
    return this.socket.writableLength;
  }

  private writeFrame(frame: Buffer): void {
    if (!this.socket.writable) return;
    this.socket.write(frame);
    const queued = this.socket.writableLength;
    if (queued > this.maxOutbound) this.cutSlowReader(queued);
  }

  protected override messageSince(): number {
    return this.guard.since;
  }

  /**
   * A quiet WebSocket peer is pinged; any browser answers, so only a half-open or dead peer stays
   * silent long enough to be dropped.
   */
  override checkIdle(now: number, idleMs: number, messageMs: number): void {
    if (this.stalledMessage(now, messageMs)) return;
    if (now - this.lastIn > idleMs) this.ws.terminate();
    else if (now - this.lastIn > idleMs / 3 && this.ws.readyState === 1) this.ws.ping();
  }

  protected end(): void {
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}

function ignore(): void {}
