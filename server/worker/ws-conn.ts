// A game client on WebSocket: one binary message holds one MessagePack map.
import type { WebSocket } from 'ws';
import { unframe } from '../../shared/protocol/framing.js';
import { Conn } from './conn.js';

export class WsConn extends Conn {
  readonly transport = 'ws' as const;

  constructor(private readonly ws: WebSocket, address: string, maxFrame: number, private readonly maxOutbound: number) {
    super(address);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.lastIn = Date.now();
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
      this.lastIn = Date.now();
    });
    ws.on('error', () => {});
    ws.on('close', () => this.closedNow());
  }

  sendFramed(framed: Buffer): void {
    if (this.closed || this.ending || this.ws.readyState !== 1) return;
    this.ws.send(unframe(framed), { binary: true });
    if (this.ws.bufferedAmount > this.maxOutbound) this.ws.terminate();
  }

  /**
   * A quiet WebSocket peer is pinged; any browser answers, so only a half-open or dead peer stays
   * silent long enough to be dropped.
   */
  override checkIdle(now: number, idleMs: number): void {
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
