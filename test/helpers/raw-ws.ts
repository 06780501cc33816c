// A WebSocket client on a raw TCP socket, for tests that must write frames the ws library would
// never write: fragments that never finish, frames trickled byte by byte.
import crypto from 'node:crypto';
import net from 'node:net';
import { decode, encode } from '../../shared/protocol/codec.js';
import { Inbox } from './inbox.js';

export class RawWs extends Inbox {
  /** Close code of the server's close frame, if one came. */
  closeCode: number | null = null;
  private buf = Buffer.alloc(0);

  private constructor(sock: net.Socket) {
    super(sock);
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.parse();
    });
  }

  /** Opens /ws (with an optional query) and completes the upgrade. */
  static connect(port: number, query = ''): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
      s.once('error', reject);
      s.once('connect', () => {
        const key = crypto.randomBytes(16).toString('base64');
        s.write(`GET /ws${query} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        let head = Buffer.alloc(0);
        const onData = (c: Buffer) => {
          head = Buffer.concat([head, c]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          s.off('data', onData);
          if (!head.subarray(0, 12).toString().includes('101')) return reject(new Error(head.toString()));
          const ws = new RawWs(s);
          const rest = head.subarray(end + 4);
          if (rest.length) {
            ws.buf = Buffer.from(rest);
            ws.parse();
          }
          resolve(ws);
        };
        s.on('data', onData);
      });
    });
  }

  /** One masked client frame. */
  static frame(payload: Uint8Array, opts: { fin?: boolean; opcode?: number } = {}): Buffer {
    const fin = opts.fin ?? true;
    const opcode = opts.opcode ?? 2;
    const len = payload.length;
    const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const out = Buffer.alloc(2 + ext + 4 + len);
    out[0] = (fin ? 0x80 : 0) | opcode;
    out[1] = 0x80 | (ext === 0 ? len : ext === 2 ? 126 : 127);
    if (ext === 2) out.writeUInt16BE(len, 2);
    if (ext === 8) out.writeBigUInt64BE(BigInt(len), 2);
    // A zero mask keeps the payload as is; the server must still unmask it.
    out.set(payload, 2 + ext + 4);
    return out;
  }

  send(msg: unknown): void {
    this.sock.write(RawWs.frame(encode(msg)));
  }

  write(bytes: Uint8Array): void {
    if (!this.sock.destroyed) this.sock.write(bytes);
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      const len7 = this.buf[1]! & 0x7f;
      const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      if (this.buf.length < 2 + ext) return;
      const len = ext === 0 ? len7 : ext === 2 ? this.buf.readUInt16BE(2) : Number(this.buf.readBigUInt64BE(2));
      if (this.buf.length < 2 + ext + len) return;
      const opcode = this.buf[0]! & 0x0f;
      const payload = this.buf.subarray(2 + ext, 2 + ext + len);
      this.buf = this.buf.subarray(2 + ext + len);
      if (opcode === 8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (opcode === 2) this.deliver(decode(payload));
      else this.wake();
    }
  }
}
