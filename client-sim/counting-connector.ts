// Wraps a Connector so every message a client sends or receives is counted, in messages and in
// bytes, without changing the client library. `frameBytes` is the per-message framing overhead
// on the wire (4 for TCP's length prefix; WebSocket's 2..14-byte header is approximated as 2 from
// the server, 6 to it, since client frames are masked).
import type { Connector, Transport } from '../shared/client/transport.js';

export interface ByteCounts {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export function countingConnector(
  inner: Connector,
  counts: ByteCounts,
  overheadIn: number,
  overheadOut: number,
): Connector {
  return async (target) => {
    const t = await inner(target);
    const outer: Transport = {
      send(bytes) {
        counts.messagesOut++;
        counts.bytesOut += bytes.length + overheadOut;
        t.send(bytes);
      },
      close: () => t.close(),
      onMessage: () => {},
      onClose: () => {},
    };
    // The client assigns outer.onMessage/onClose after this resolves; look them up per call.
    t.onMessage = (bytes) => {
      counts.messagesIn++;
      counts.bytesIn += bytes.length + overheadIn;
      outer.onMessage(bytes);
    };
    t.onClose = (reason) => outer.onClose(reason);
    return outer;
  };
}
