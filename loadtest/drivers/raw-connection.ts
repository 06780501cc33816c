// A minimal protocol connection for drivers that must not be the bottleneck: no client library,
// no decoding beyond the message type. Used by the ping and connect drivers against Shoal and the
// baselines alike, so both sides of every ratio get the same client.
import net from 'node:net';
import WebSocket from 'ws';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { encode, decode } from '../../shared/protocol/codec.js';
import type { DriverTransport } from './messages.js';

export interface RawConnection {
  send(framed: Buffer, body: Uint8Array): void;
  close(): void;
  onMessage: (body: Uint8Array) => void;
}

export function openRaw(
  transport: DriverTransport, host: string, port: number, onClose: (why: string) => void,
): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    if (transport === 'tcp') {
      const sock = net.connect({ host, port, noDelay: true });
      const conn: RawConnection = {
        send: (framed) => void sock.write(framed),
        close: () => sock.destroy(),
        onMessage: () => {},
      };
      const reader = new FrameReader(1 << 20, (b) => conn.onMessage(b), () => sock.destroy());
      sock.on('data', (c) => reader.push(c));
      let open = false;
      sock.once('connect', () => {
        open = true;
        resolve(conn);
      });
      sock.on('error', (err) => {
        if (!open) reject(err);
      });
      sock.on('close', () => onClose('tcp close'));
    } else {
      const ws = new WebSocket(`ws://${host}:${port}/ws`, { perMessageDeflate: false });
      const conn: RawConnection = {
        send: (_framed, body) => ws.send(body),
        close: () => ws.terminate(),
        onMessage: () => {},
      };
      let open = false;
      ws.on('open', () => {
        open = true;
        resolve(conn);
      });
      ws.on('message', (d, isBinary) => {
        if (isBinary) conn.onMessage(d as Buffer);
      });
      ws.on('error', (err) => {
        if (!open) reject(err);
      });
      ws.on('close', () => onClose('ws close'));
    }
  });
}

/** Encodes a message once, for both transports. */
export function prepare(msg: unknown): { framed: Buffer; body: Uint8Array } {
  const body = encode(msg);
  return { framed: frame(body), body };
}

/** The `t` of a server message, decoding it (only used off the hot path). */
export function messageType(body: Uint8Array): string {
  try {
    const m = decode(body) as { t?: unknown; code?: unknown };
    return m.t === 'error' ? `error:${String(m.code)}` : String(m.t);
  } catch {
    return 'undecodable';
  }
}

/** Opens a connection and says hello; resolves on welcome, rejects with the error code. */
export async function joinRaw(
  transport: DriverTransport, host: string, port: number, name: string, timeoutMs: number,
  onClose: (why: string) => void = () => {},
): Promise<RawConnection> {
  let timer: NodeJS.Timeout | undefined;
  let conn: RawConnection | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      conn?.close();
      reject(Object.assign(new Error('no welcome in time'), { code: 'WELCOME_TIMEOUT' }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        conn = await openRaw(transport, host, port, onClose);
        const c = conn;
        return await new Promise<RawConnection>((resolve, reject) => {
          c.onMessage = (body) => {
            const t = messageType(body);
            if (t === 'welcome') {
              c.onMessage = () => {};
              resolve(c);
            } else if (t.startsWith('error:')) {
              c.close();
              reject(Object.assign(new Error(t), { code: t.slice(6) }));
            }
          };
          const hello = prepare({ t: 'hello', v: 1, name });
          c.send(hello.framed, hello.body);
        });
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
