// The server's reader of WebSocket frames from a client (RFC 6455 section 5), in place of the ws
// library's Receiver (a Writable stream with an object per frame). It reads each socket chunk
// once: a whole unfragmented binary message inside one chunk is unmasked in place and handed on as
// a slice of it; only a message split across chunks or fragments is copied, into one buffer grown
// as its bytes arrive (never sized by what a header merely announces). It judges a message by its
// announced length before buffering any of it, and bounds the bytes and reads an unfinished
// message may span. No extension is ever negotiated, so every RSV bit must be clear.

/** Why the reader stopped; the connection closes with the matching code. */
export type WsReadFail =
  /** A protocol violation: close 1002. */
  | 'protocol'
  /** A text message: close 1003 ("binary messages only"). */
  | 'text'
  /** A close frame whose reason is not UTF-8: close 1007. */
  | 'utf8'
  /** A message over maxMessage bytes (by its announced length): FRAME_TOO_LARGE. */
  | 'too-large'
  /** An unfinished message spanning more than maxSpan socket bytes: FRAME_TOO_LARGE. */
  | 'too-spread'
  /** An unfinished message arriving in more than maxReads socket reads: close 1008. */
  | 'too-many-reads';

/** What the reader hands on; one object per connection (the connection itself), no closures. */
export interface WsReadSink {
  /** A whole binary message, unmasked; a view valid until the sink returns (copy to keep it). */
  wsMessage(body: Buffer): void;
  /** A ping's payload (at most 125 bytes), unmasked; answer with a pong of the same payload. */
  wsPing(payload: Buffer): void;
  wsPong(): void;
  /** The peer's close frame: its code (1005 when it gave none). Nothing is read after it. */
  wsClose(code: number): void;
  /** detail: the message's bytes so far for 'too-large', else 0. Nothing is read after it. */
  wsFail(why: WsReadFail, detail: number): void;
}

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_PING = 0x9;
const OP_PONG = 0xa;

const EMPTY = Buffer.alloc(0);

/** Largest client frame header: 2 bytes, 8 of extended length, 4 of mask. */
const MAX_HEADER = 14;

/** Close codes a peer may send (RFC 6455 section 7.4, as the ws library accepts them). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export class WsReader {
  /** When the unfinished message (or frame) now being read began (ms); 0 between messages. */
  since = 0;
  /** Socket bytes read since the unfinished message began (headers and control frames too). */
  private span = 0;
  /** Socket reads that ended with a message unfinished, since it began. */
  private reads = 0;
  /** Stopped: failed, closed by the peer, or stop() was called. */
  private done = false;
  /** Data frames' payloads are skipped, not buffered (the connection is closing). */
  private discarding = false;

  /** A header split across reads, gathered here (made only when one is split). */
  private head: Buffer | null = null;
  private headHave = 0;
  private headNeed = 0;

  // The frame being read.
  private inFrame = false;
  private opcode = 0;
  private fin = false;
  private m0 = 0;
  private m1 = 0;
  private m2 = 0;
  private m3 = 0;
  /** Payload bytes of the current frame still to come. */
  private left = 0;
  /** Payload bytes of the current frame read so far (the mask's phase). */
  private pos = 0;

  /** A data frame without FIN was read and its message's last frame not yet. */
  private fragmented = false;
  /** Payload bytes of the message in progress (all its data frames so far, announced). */
  private messageBytes = 0;
  /** The message in progress, gathered when it does not sit whole in one read. */
  private acc: Buffer | null = null;
  private accLen = 0;
  /** A control frame's payload split across reads (at most 125 bytes). */
  private ctl: Buffer | null = null;
  private ctlLen = 0;

  constructor(
    private readonly sink: WsReadSink,
    readonly maxMessage: number,
    private readonly maxSpan: number,
    private readonly maxReads: number,
  ) {}

  /** Reading has stopped for good (a failure, the peer's close, or stop()). */
  get stopped(): boolean {
    return this.done;
  }

  /** Stops reading for good. */
  stop(): void {
    this.done = true;
    this.release();
  }

  /** From now on data messages are skipped unbuffered; control frames (the close) are still read. */
  discard(): void {
    this.discarding = true;
    this.acc = null;
    this.accLen = 0;
  }

  /** Reads one socket chunk (which it may unmask in place). */
  push(chunk: Buffer, now: number): void {
    if (this.done) return;
    const n = chunk.length;
    let off = 0;
    /** span = base + the offset read up to: bytes since the unfinished message began. */
    let base = this.span;
    while (off < n) {
      if (this.since === 0) {
        this.since = now;
        base = -off;
      }
      if (!this.inFrame) {
        off = this.header(chunk, off);
      } else {
        const take = this.left < n - off ? this.left : n - off;
        this.payload(chunk, off, take);
        off += take;
      }
      if (this.done) return;
    }
    if (this.since === 0) return;
    // Something is unfinished: this read counts against the bounds of what may stay unfinished.
    this.span = base + n;
    this.reads++;
    if (this.span > this.maxSpan) this.fail('too-spread', 0);
    else if (this.reads > this.maxReads) this.fail('too-many-reads', 0);
  }

  /** Reads (part of) a header at off; returns the offset after what it took. */
  private header(chunk: Buffer, off: number): number {
    const n = chunk.length;
    if (this.headHave === 0) {
      if (n - off >= 2) {
        const b1 = chunk[off + 1]!;
        // Client frames must be masked (section 5.1): refused before waiting for a mask.
        if ((b1 & 0x80) === 0) {
          this.fail('protocol', 0);
          return n;
        }
        const len7 = b1 & 0x7f;
        const need = 6 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
        if (n - off >= need) {
          this.begin(chunk, off, need);
          return off + need;
        }
      }
      // A header split across reads: gather it.
      // Unpooled: a long-lived slice of the shared pool would keep a whole 8 KiB slab alive.
      this.head ??= Buffer.allocUnsafeSlow(MAX_HEADER);
      this.headNeed = 2;
    }
    const head = this.head!;
    while (off < n && this.headHave < this.headNeed) {
      head[this.headHave++] = chunk[off++]!;
      if (this.headHave === 2) {
        if ((head[1]! & 0x80) === 0) {
          this.fail('protocol', 0);
          return n;
        }
        const len7 = head[1]! & 0x7f;
        this.headNeed = 6 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
      }
    }
    if (this.headHave === this.headNeed) {
      this.headHave = 0;
      this.begin(head, 0, this.headNeed);
    }
    return off;
  }

  /** A whole header of size bytes at buf[off]: checks it and starts its frame. */
  private begin(buf: Buffer, off: number, size: number): void {
    const b0 = buf[off]!;
    const b1 = buf[off + 1]!;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    // Client frames must be masked (section 5.1); no extension was negotiated, so RSV must be 0.
    if ((b1 & 0x80) === 0 || (b0 & 0x70) !== 0) return this.fail('protocol', 0);
    const len7 = b1 & 0x7f;
    let len = len7;
    if (len7 === 126) len = buf.readUInt16BE(off + 2);
    else if (len7 === 127) len = buf.readUInt32BE(off + 2) !== 0 ? Infinity : buf.readUInt32BE(off + 6);
    const m = off + size - 4;
    if (opcode >= 0x8) {
      if (opcode > OP_PONG || !fin || len > 125) return this.fail('protocol', 0);
    } else if (opcode === OP_CONT) {
      if (!this.fragmented) return this.fail('protocol', 0);
    } else if (opcode === OP_BINARY || opcode === OP_TEXT) {
      if (this.fragmented) return this.fail('protocol', 0);
      if (opcode === OP_TEXT) return this.fail('text', 0);
    } else {
      return this.fail('protocol', 0);
    }
    if (opcode < 0x8 && !this.discarding) {
      this.messageBytes += len;
      if (this.messageBytes > this.maxMessage) return this.fail('too-large', this.messageBytes);
    }
    this.opcode = opcode;
    this.fin = fin;
    this.m0 = buf[m]!;
    this.m1 = buf[m + 1]!;
    this.m2 = buf[m + 2]!;
    this.m3 = buf[m + 3]!;
    this.left = len;
    this.pos = 0;
    this.inFrame = true;
    if (len === 0) this.payload(buf, off + size, 0);
  }

  /** take bytes of the current frame's payload at chunk[off]. */
  private payload(chunk: Buffer, off: number, take: number): void {
    const whole = take === this.left && this.pos === 0;
    this.left -= take;
    if (this.opcode >= 0x8) {
      if (whole) {
        this.unmask(chunk, off, off + take, 0);
        return this.control(chunk.subarray(off, off + take));
      }
      this.ctl ??= Buffer.allocUnsafeSlow(125);
      chunk.copy(this.ctl, this.ctlLen, off, off + take);
      this.unmask(this.ctl, this.ctlLen, this.ctlLen + take, this.pos);
      this.ctlLen += take;
      this.pos += take;
      if (this.left > 0) return;
      const p = this.ctl.subarray(0, this.ctlLen);
      this.ctlLen = 0;
      return this.control(p);
    }
    if (this.discarding) {
      this.pos += take;
      if (this.left === 0) this.frameEnd();
      return;
    }
    if (whole && this.fin && !this.fragmented) {
      // The common case: one whole message in this read, handed on as a view of it.
      this.unmask(chunk, off, off + take, 0);
      this.frameEnd();
      this.sink.wsMessage(chunk.subarray(off, off + take));
      return;
    }
    if (take > 0) {
      this.grow(this.accLen + take);
      const acc = this.acc!;
      chunk.copy(acc, this.accLen, off, off + take);
      this.unmask(acc, this.accLen, this.accLen + take, this.pos);
      this.accLen += take;
      this.pos += take;
    }
    if (this.left > 0) return;
    const fin = this.fin;
    this.frameEnd();
    if (!fin) return;
    const body = this.acc ? this.acc.subarray(0, this.accLen) : EMPTY;
    this.acc = null;
    this.accLen = 0;
    this.sink.wsMessage(body);
  }

  /** Room for need bytes of the message: grown by doubling, never past the message limit. */
  private grow(need: number): void {
    const acc = this.acc;
    if (acc && acc.length >= need) return;
    const size = Math.min(Math.max(need, acc ? acc.length * 2 : 256), this.maxMessage);
    const next = Buffer.allocUnsafeSlow(size);
    if (acc) acc.copy(next, 0, 0, this.accLen);
    this.acc = next;
  }

  /** A frame's payload is all read. */
  private frameEnd(): void {
    this.inFrame = false;
    if (this.opcode < 0x8) {
      this.fragmented = !this.fin;
      if (this.fin) this.messageBytes = 0;
    }
    if (!this.fragmented) this.between();
  }

  /** A whole control frame. */
  private control(p: Buffer): void {
    const op = this.opcode;
    this.frameEnd();
    if (op === OP_PING) return this.sink.wsPing(p);
    if (op === OP_PONG) return this.sink.wsPong();
    // Close (0x8): a code (2 bytes) and a UTF-8 reason, or nothing.
    if (p.length === 1) return this.fail('protocol', 0);
    let code = 1005;
    if (p.length >= 2) {
      code = p.readUInt16BE(0);
      if (!validCloseCode(code)) return this.fail('protocol', 0);
      if (!isUtf8(p.subarray(2))) return this.fail('utf8', 0);
    }
    this.stop();
    this.sink.wsClose(code);
  }

  /** Between messages: nothing of the client's is held for one. */
  private between(): void {
    this.since = 0;
    this.span = 0;
    this.reads = 0;
  }

  private unmask(buf: Buffer, from: number, to: number, phase: number): void {
    const m0 = this.m0, m1 = this.m1, m2 = this.m2, m3 = this.m3;
    let i = from;
    // Bring the mask to phase 0, then four bytes at a time.
    while (i < to && ((phase + i - from) & 3) !== 0) {
      const k = (phase + i - from) & 3;
      buf[i] = buf[i]! ^ (k === 1 ? m1 : k === 2 ? m2 : m3);
      i++;
    }
    for (; i + 3 < to; i += 4) {
      buf[i] = buf[i]! ^ m0;
      buf[i + 1] = buf[i + 1]! ^ m1;
      buf[i + 2] = buf[i + 2]! ^ m2;
      buf[i + 3] = buf[i + 3]! ^ m3;
    }
    if (i < to) buf[i] = buf[i]! ^ m0;
    if (i + 1 < to) buf[i + 1] = buf[i + 1]! ^ m1;
    if (i + 2 < to) buf[i + 2] = buf[i + 2]! ^ m2;
  }

  private fail(why: WsReadFail, detail: number): void {
    this.stop();
    this.sink.wsFail(why, detail);
  }

  private release(): void {
    this.acc = null;
    this.accLen = 0;
    this.ctl = null;
    this.head = null;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(b: Uint8Array): boolean {
  try {
    strictUtf8.decode(b);
    return true;
  } catch {
    return false;
  }
}
