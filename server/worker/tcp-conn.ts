// A game client on raw TCP with 4-byte length framing.
import type net from 'node:net';
import { FrameReader } from '../../shared/protocol/framing.js';
import { Conn } from './conn.js';

export class TcpConn extends Conn {
  readonly transport = 'tcp' as const;
  private readonly reader: FrameReader;

  constructor(private readonly sock: net.Socket, maxFrame: number, private readonly maxOutbound: number) {
    super(sock.remoteAddress ?? 'unknown');
    sock.setNoDelay(true);
    this.reader = new FrameReader(
      maxFrame,
      (body) => this.onMessage(body),
      (err, len) => this.error(err, err === 'BAD_FRAME' ? 'frame of length 0' : `frame of ${len} bytes is over the limit of ${maxFrame}`),
    );
    sock.on('data', (chunk: Buffer) => {
      this.lastIn = Date.now();
      if (!this.ending) this.reader.push(chunk);
    });
    // Half-open peers (a vanished host) are found by the OS as well as by the idle check.
    sock.setKeepAlive(true, 30_000);
    sock.on('error', () => {});
    sock.on('close', () => this.closedNow());
    sock.on('end', () => sock.end());
  }

  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending || this.sock.destroyed) return;
    this.sock.write(framed);
    // A reader that does not keep up is cut off rather than allowed to grow our memory.
    if (this.sock.writableLength > this.maxOutbound) this.sock.destroy();
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
