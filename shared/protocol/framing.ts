// TCP framing: a 4-byte unsigned big-endian length, then that many bytes of one MessagePack map.
import { FRAME_HEADER_BYTES } from './limits.js';
import { encode } from './codec.js';

export type FrameError = 'BAD_FRAME' | 'FRAME_TOO_LARGE';

/**
 * Splits a byte stream into frame bodies. Chunks that hold whole frames are sliced, not copied;
 * only a frame split across chunks is assembled.
 */
export class FrameReader {
  private pending: Buffer | null = null;
  failed: FrameError | null = null;

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (body: Buffer) => void,
    private readonly onError: (err: FrameError, length: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32BE(off);
      if (len === 0) return this.fail('BAD_FRAME', len);
      if (len > this.maxFrame) return this.fail('FRAME_TOO_LARGE', len);
      if (buf.length - off - FRAME_HEADER_BYTES < len) break;
      const start = off + FRAME_HEADER_BYTES;
      off = start + len;
      this.onFrame(buf.subarray(start, off));
      if (this.failed) return;
    }
    if (off < buf.length) {
      // Copy the tail so a retained slice does not pin the whole chunk.
      this.pending = off === 0 ? buf : Buffer.from(buf.subarray(off));
    }
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending ? this.pending.length : 0;
  }

  private fail(err: FrameError, length: number): void {
    this.failed = err;
    this.pending = null;
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
