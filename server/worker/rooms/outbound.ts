// One encoded message on its way to many connections (a room's state each tick): each transport's
// bytes are built at most once per message, never once per receiver.
import { unframe } from '../../../shared/protocol/framing.js';
import { wsBinaryFrame } from '../../../shared/protocol/ws-frame.js';

export class Outbound {
  private ws: Buffer | null = null;

  /** framed: the message as encodeFramed made it (TCP length header, then the MessagePack body). */
  constructor(readonly framed: Buffer) {}

  /** The whole WebSocket frame (header and payload), built on first use and shared after that. */
  wsFrame(): Buffer {
    return (this.ws ??= wsBinaryFrame(unframe(this.framed)));
  }
}
