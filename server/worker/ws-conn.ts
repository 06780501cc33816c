// A game client on WebSocket: one binary message holds one MessagePack map.
import type { WebSocket } from 'ws';
import { unframe } from '../../shared/protocol/framing.js';
import { Conn } from './conn.js';

export class WsConn extends Conn {
  readonly transport = 'ws' as const;
  private alive = true;

  constructor(private readonly ws: WebSocket, address: string, maxFrame: number, private readonly maxOutbound: number) {
    super(address);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'binary messages only');
        return;
      }
      if (data.length > maxFrame) {
        this.error('FRAME_TOO_LARGE', `message of ${data.length} bytes is over the limit of ${maxFrame}`);
        return;
      }
      this.onMessage(data);
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', () => {});
    ws.on('close', () => this.closedNow());
  }

  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending || this.ws.readyState !== 1) return;
    this.ws.send(unframe(framed), { binary: true });
    if (this.ws.bufferedAmount > this.maxOutbound) this.ws.terminate();
  }

  /** Heartbeat: a peer that did not answer the last ping is half-open and is dropped. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  protected end(): void {
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}
