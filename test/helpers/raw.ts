// Raw sockets for tests that must control every byte: split writes, bad frames, garbage.
import net from 'node:net';
import { decode, encode } from '../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../shared/protocol/framing.js';

export class RawTcp {
  readonly sock: net.Socket;
  readonly messages: any[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(sock: net.Socket) {
    this.sock = sock;
    const reader = new FrameReader(1 << 24, (b) => {
      this.messages.push(decode(b));
      this.wake();
    }, () => {});
    sock.on('data', (c) => reader.push(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** `from`: a loopback address to connect from (each is its own peer address to the server). */
  static connect(port: number, from?: string): Promise<RawTcp> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true, localAddress: from });
      s.once('connect', () => resolve(new RawTcp(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  send(msg: unknown): void {
    this.sock.write(frame(encode(msg)));
  }

  write(bytes: Uint8Array): void {
    this.sock.write(bytes);
  }

  /** Writes bytes one at a time with a pause between, as a slow or fragmented network would. */
  async trickle(bytes: Uint8Array, gapMs = 5): Promise<void> {
    for (const b of bytes) {
      this.sock.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** The next message (after those already taken) matching pred. */
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

export function hello(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { t: 'hello', v: 1, name, ...extra };
}
