// One game connection with as little client work as possible: a raw TCP socket with Shoal's
// 4-byte length framing, or a raw WebSocket (handshake, masked binary frames out, unmasked frames
// in, pings answered) on a plain net.Socket. Incoming messages are handed over in place as
// (buffer, start, length): a whole message inside one chunk is never copied.
import net from 'node:net';
import crypto from 'node:crypto';

export type LeanTransport = 'tcp' | 'ws';

export interface LeanHandlers {
  onMessage(buf: Buffer, start: number, len: number): void;
  onClose(): void;
}

export class LeanSocket {
  private pending: Buffer | null = null;
  private handshaking: boolean;
  closed = false;

  private constructor(readonly transport: LeanTransport, private readonly sock: net.Socket, private readonly h: LeanHandlers) {
    this.handshaking = transport === 'ws';
    sock.on('data', (c: Buffer) => this.onData(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      h.onClose();
    });
  }

  /** Connects; a WebSocket upgrades at `path` (Shoal's is /ws; Colyseus names the room there). */
  static open(transport: LeanTransport, host: string, port: number, h: LeanHandlers, path = '/ws'): Promise<LeanSocket> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port, noDelay: true });
      const fail = (err: Error) => reject(err);
      sock.once('error', fail);
      sock.once('connect', () => {
        const ls = new LeanSocket(transport, sock, h);
        if (transport === 'tcp') {
          sock.off('error', fail);
          return resolve(ls);
        }
        const key = crypto.randomBytes(16).toString('base64');
        sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        ls.upgraded = () => {
          sock.off('error', fail);
          resolve(ls);
        };
        ls.upgradeFailed = (why) => {
          sock.destroy();
          reject(new Error(why));
        };
      });
    });
  }

  private upgraded: () => void = () => {};
  private upgradeFailed: (why: string) => void = () => {};

  /** Sends one message body (framed for TCP, a masked binary frame for WebSocket). */
  send(body: Buffer): void {
    if (this.closed) return;
    if (this.transport === 'tcp') {
      const out = Buffer.allocUnsafe(4 + body.length);
      out.writeUInt32BE(body.length, 0);
      body.copy(out, 4);
      this.sock.write(out);
    } else {
      this.sock.write(wsFrame(0x2, body));
    }
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    if (this.handshaking) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.pending = buf;
        return;
      }
      if (!buf.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) return this.upgradeFailed(buf.toString('latin1', 0, Math.min(end, 80)));
      this.handshaking = false;
      this.upgraded();
      buf = buf.subarray(end + 4);
    }
    const used = this.transport === 'tcp' ? this.readFrames(buf) : this.readWsFrames(buf);
    if (used < buf.length) this.pending = Buffer.from(buf.subarray(used));
  }

  /** Hands every whole TCP frame in buf over; returns the bytes consumed. */
  private readFrames(buf: Buffer): number {
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (buf.length - off - 4 < len) break;
      this.h.onMessage(buf, off + 4, len);
      off += 4 + len;
    }
    return off;
  }

  /** Hands every whole WebSocket data frame over, answers pings; returns the bytes consumed. */
  private readWsFrames(buf: Buffer): number {
    let off = 0;
    while (buf.length - off >= 2) {
      const op = buf[off]! & 0x0f;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (buf.length - off - head < len) break;
      const start = off + head;
      if (op === 0x2) this.h.onMessage(buf, start, len);
      else if (op === 0x9) this.sock.write(wsFrame(0xa, buf.subarray(start, start + len)));
      else if (op === 0x8) this.sock.end();
      off = start + len;
    }
    return off;
  }
}

/** A client frame: FIN, the opcode, a zero mask (legal; the load client has nothing to hide). */
function wsFrame(op: number, body: Buffer): Buffer {
  const n = body.length;
  const head = n < 126 ? 6 : n < 65536 ? 8 : 14;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x80 | op;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  out.writeUInt32BE(0, head - 4);
  body.copy(out, head);
  return out;
}
