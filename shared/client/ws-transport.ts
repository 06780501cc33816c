// WebSocket transport for browsers (global WebSocket) and Node (pass the `ws` package's class).
import type { Connector, Transport } from './transport.js';

interface WsLike {
  binaryType: string;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
}
export type WsConstructor = new (url: string) => WsLike;

/** `url` is the base, e.g. ws://localhost:8000/ws; room and token go in the query for routing. */
export function wsConnector(url: string, Ws: WsConstructor): Connector {
  return (target) =>
    new Promise<Transport>((resolve, reject) => {
      const q: string[] = [];
      if (target.room) q.push(`room=${encodeURIComponent(target.room)}`);
      if (target.token) q.push(`token=${encodeURIComponent(target.token)}`);
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
        if (typeof d === 'string') return;
        t.onMessage(d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
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
