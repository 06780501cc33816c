// A game client on raw TCP with 4-byte length framing.
import type net from 'node:net';
import { FrameReader } from '../../../shared/protocol/framing.js';
import { Conn } from './conn.js';

export class TcpConn extends Conn {
  readonly transport = 'tcp' as const;
  private readonly reader: FrameReader;
  private framesIn = 0;
  /** When the partial frame now held began arriving; 0 when none is held. */
  private partialSince = 0;

  constructor(private readonly sock: net.Socket, address: string, maxFrame: number, private readonly maxOutbound: number) {
    super(address);
    sock.setNoDelay(true);
    this.reader = new FrameReader(
      maxFrame,
      (body) => {
        this.framesIn++;
        this.onMessage(body);
      },
      (err, len) => this.error(err, err === 'BAD_FRAME' ? 'frame of length 0' : `frame of ${len} bytes is over the limit of ${maxFrame}`),
    );
    (sock as Owned)[CONN] = this;
    sock.on('data', onData);
    // Half-open peers (a vanished host) are found by the OS as well as by the idle check.
    sock.setKeepAlive(true, 30_000);
    sock.on('error', ignore);
    sock.on('close', onClose);
    sock.on('end', endToo);
  }

  /** Reads bytes the socket brought. */
  read(chunk: Buffer): void {
    const now = Date.now();
    this.lastIn = now;
    if (this.ending) return;
    const before = this.framesIn;
    this.reader.push(chunk);
    if (this.reader.pending === 0) this.partialSince = 0;
    else if (this.partialSince === 0 || this.framesIn !== before) this.partialSince = now;
  }

  /** The socket is gone. */
  gone(): void {
    this.closedNow();
  }

  override get queuedBytes(): number {
    return this.sock.writableLength;
  }

  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending || this.sock.destroyed) return;
    this.sock.write(framed);
    const queued = this.sock.writableLength;
    if (queued > this.maxOutbound) this.cutSlowReader(queued);
  }

  protected override messageSince(): number {
    return this.partialSince;
  }

  protected end(): void {
    this.sock.end();
    // A peer that never reads our FIN's answer is dropped after a moment.
    setTimeout(() => this.sock.destroy(), 2000).unref();
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/** The connection a socket belongs to, for listeners shared by every connection. */
const CONN = Symbol('tcpConn');
type Owned = net.Socket & { [CONN]: TcpConn };

// Listeners shared by every connection (this: the socket) rather than a closure each.
function onData(this: Owned, chunk: Buffer): void {
  this[CONN].read(chunk);
}
function onClose(this: Owned): void {
  this[CONN].gone();
}
function ignore(): void {}
function endToo(this: net.Socket): void {
  this.end();
}
