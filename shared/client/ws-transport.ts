// WebSocket transport for browsers (global WebSocket) and Node (pass the `ws` package's class).
import { onHost, parseAddress, urlHost } from './address.js';
import type { Connector, Transport } from './transport.js';

interface WsLike {
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
}
export type WsConstructor = new (url: string) => WsLike;

/**
 * `url` is the base, e.g. ws://localhost:8000/ws; room, token and game go in the query for routing.
 * A target naming an `address` (HOST:PORT) is reached at the same scheme and path on that host.
 */
export function wsConnector(base: string, Ws: WsConstructor): Connector {
  return (target) =>
    new Promise<Transport>((resolve, reject) => {
      let url = base;
      if (target.address !== undefined) {
        const to = parseAddress(target.address);
        if (!to) {
          reject(new Error(`${JSON.stringify(target.address)} is not HOST:PORT`));
          return;
        }
        url = onHost(base, urlHost(to));
      }
      const q: string[] = [];
      if (target.room) q.push(`room=${encodeURIComponent(target.room)}`);
      if (target.token) q.push(`token=${encodeURIComponent(target.token)}`);
      if (target.game) q.push(`game=${encodeURIComponent(target.game)}`);
      const ws = new Ws(q.length ? `${url}?${q.join('&')}` : url);
      ws.binaryType = 'arraybuffer';
      let open = false;
      const t: Transport = {
        send: (bytes) => ws.send(bytes),
        close: () => ws.close(1000),
        onMessage: () => {},
        onClose: () => {},
      };
      ws.onopen = () => {
        open = true;
        resolve(t);
      };
      ws.onmessage = (ev) => {
        const d = ev.data;
        if (d instanceof ArrayBuffer) t.onMessage(new Uint8Array(d));
        else if (ArrayBuffer.isView(d)) t.onMessage(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        // Text frames are not part of the protocol: ignored.
      };
      ws.onerror = () => {
        if (!open) reject(new Error(`websocket connect to ${url} failed`));
      };
      ws.onclose = (ev) => {
        if (!open) reject(new Error(`websocket closed before open (${ev.code})`));
        else t.onClose(`ws close ${ev.code}`);
      };
    });
}
