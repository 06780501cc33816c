// TCP framing: a 4-byte unsigned big-endian length, then that many bytes of one MessagePack map.
import { FRAME_HEADER_BYTES } from './limits.js';
import { encode } from './codec.js';

export type FrameError = 'BAD_FRAME' | 'FRAME_TOO_LARGE';

/**
 * Splits a byte stream into frame bodies. Chunks that hold whole frames are sliced, not copied;
 * a frame split across chunks is gathered as a list and copied once, when it is complete (so a
 * frame sent one byte at a time costs linear, not quadratic, copying).
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private have = 0;
  /** Bytes the partial frame in `parts` needs in all (header included), once its header is known. */
  private need = 0;
  failed: FrameError | null = null;

  /** Bytes of an unfinished frame held now (0 between frames). */
  get pending(): number {
    return this.have;
  }

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (body: Buffer) => void,
    private readonly onError: (err: FrameError, length: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    if (this.have === 0) return this.scan(chunk);
    this.parts.push(chunk);
    this.have += chunk.length;
    if (this.need === 0) {
      if (this.have < FRAME_HEADER_BYTES) return;
      const head = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.have);
      const len = head.readUInt32BE(0);
      if (!this.checkLength(len)) return;
      this.need = FRAME_HEADER_BYTES + len;
    }
    if (this.have < this.need) return;
    const buf = Buffer.concat(this.parts, this.have);
    this.parts = [];
    this.have = 0;
    this.need = 0;
    this.scan(buf);
  }

  /** Emits every whole frame in buf; keeps the tail. */
  private scan(buf: Buffer): void {
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32BE(off);
      if (!this.checkLength(len)) return;
      if (buf.length - off - FRAME_HEADER_BYTES < len) {
        this.need = FRAME_HEADER_BYTES + len;
        break;
      }
      const start = off + FRAME_HEADER_BYTES;
      off = start + len;
      this.onFrame(buf.subarray(start, off));
      if (this.failed) return;
    }
    if (off < buf.length) {
      // Copy the tail so a retained slice does not pin the whole chunk.
      this.parts = [Buffer.from(buf.subarray(off))];
      this.have = buf.length - off;
    }
  }

  private checkLength(len: number): boolean {
    if (len === 0) this.fail('BAD_FRAME', len);
    else if (len > this.maxFrame) this.fail('FRAME_TOO_LARGE', len);
    else return true;
    return false;
  }

  private fail(err: FrameError, length: number): void {
    this.failed = err;
    this.parts = [];
    this.have = 0;
    this.onError(err, length);
  }
}

/** Frames one encoded body. */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Encodes one message with the TCP frame header in front. A WebSocket sends
 * `unframe(framed)`, so one encoding serves both transports.
 */
export function encodeFramed(msg: unknown): Buffer {
  return frame(encode(msg));
}

/** The body of a framed buffer, for transports that frame on their own (WebSocket). */
export function unframe(framed: Buffer): Buffer {
  return framed.subarray(FRAME_HEADER_BYTES);
}
