// Raw sockets for tests that must control every byte: split writes, bad frames, garbage.
import net from 'node:net';
import { decode, encode } from '../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { Inbox } from './inbox.js';

export class RawTcp extends Inbox {
  private constructor(sock: net.Socket) {
    super(sock);
    const reader = new FrameReader(1 << 24, (b) => this.deliver(decode(b)), () => {});
    sock.on('data', (c) => reader.push(c));
  }

  /** `from`: a loopback address to connect from (each is its own peer address to the server). */
  static connect(port: number, from?: string): Promise<RawTcp> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true, localAddress: from });
      s.once('connect', () => resolve(new RawTcp(s)));
      s.once('error', reject);
    });
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
}

export function hello(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { t: 'hello', v: 1, name, ...extra };
}
