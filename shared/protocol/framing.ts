// TCP framing: a 4-byte unsigned big-endian length, then that many bytes of one MessagePack map.
import { FRAME_HEADER_BYTES } from './limits.js';
import { encode } from './codec.js';

export type FrameError = 'BAD_FRAME' | 'FRAME_TOO_LARGE';

/** Pieces of one frame kept as a list before they are gathered into one buffer. */
const MAX_PARTS = 64;

/**
 * Splits a byte stream into frame bodies. Chunks that hold whole frames are sliced, not copied;
 * a frame split across chunks is gathered as a list and copied once, when it is complete (so a
 * frame sent one byte at a time costs linear, not quadratic, copying). A frame that keeps coming
 * in many small pieces is gathered into one buffer of its announced size (at most maxFrame + 4)
 * instead of a list that would hold a Buffer object per piece.
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private have = 0;
  /** Bytes the partial frame in `parts` needs in all (header included), once its header is known. */
  private need = 0;
  /** The partial frame gathered into one buffer of `need` bytes, once it came in many pieces. */
  private acc: Buffer | null = null;
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
    if (this.acc) return this.fill(chunk);
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
    if (this.have < this.need) {
      if (this.parts.length >= MAX_PARTS) {
        this.acc = Buffer.allocUnsafe(this.need);
        let off = 0;
        for (const p of this.parts) off += p.copy(this.acc, off);
        this.parts = [];
      }
      return;
    }
    const buf = Buffer.concat(this.parts, this.have);
    this.parts = [];
    this.have = 0;
    this.need = 0;
    this.scan(buf);
  }

  /** Adds to the gathered partial frame; emits it when whole and reads on in the rest of chunk. */
  private fill(chunk: Buffer): void {
    const acc = this.acc!;
    const take = Math.min(chunk.length, this.need - this.have);
    chunk.copy(acc, this.have, 0, take);
    this.have += take;
    if (this.have < this.need) return;
    this.acc = null;
    this.have = 0;
    this.need = 0;
    this.onFrame(acc.subarray(FRAME_HEADER_BYTES));
    if (!this.failed && take < chunk.length) this.scan(chunk.subarray(take));
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
    this.acc = null;
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
