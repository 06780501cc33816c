// A WebSocket client on a raw TCP socket, for tests that must write frames the ws library would
// never write: fragments that never finish, frames trickled byte by byte.
import crypto from 'node:crypto';
import net from 'node:net';
import { decode, encode } from '../../shared/protocol/codec.js';

export class RawWs {
  readonly messages: any[] = [];
  closed = false;
  /** Close code of the server's close frame, if one came. */
  closeCode: number | null = null;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.parse();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.wake();
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
      if (opcode === 2) this.messages.push(decode(payload));
      if (opcode === 8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.buf = this.buf.subarray(2 + ext + len);
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  async next(pred: (m: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (this.closed) throw new Error(`closed before a matching message; got ${JSON.stringify(this.messages.map((m) => m.t))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.t))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const t = setTimeout(() => reject(new Error('still open')), timeoutMs);
      this.sock.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
