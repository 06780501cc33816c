// Follows the frame headers of the bytes a WebSocket client sends, before the ws library sees
// them and without copying them. ws buffers every fragment of a message until its last one
// arrives and gives no sign of a message in progress; this lets the worker refuse a message by
// its announced length before it is buffered, bound the bytes an unfinished message may span
// (control frames interleaved with tiny fragments would otherwise pin whole socket chunks), and
// time out a message that is begun but never finished.

/** Largest WebSocket frame header: 2 bytes, 8 of extended length, 4 of mask. */
const MAX_HEADER = 14;

export type GuardVerdict = 'ok' | 'too-large' | 'too-spread';

export class WsInboundGuard {
  /** When the message now being received began (ms); 0 between messages. */
  since = 0;
  /** Payload bytes of the data frames of the message in progress. */
  messageBytes = 0;
  /** Socket bytes read since the message in progress began (headers and control frames too). */
  spanBytes = 0;
  private readonly head = Buffer.alloc(MAX_HEADER);
  private headHave = 0;
  private headNeed = 2;
  /** Payload bytes of the current frame still to come. */
  private left = 0;
  private fin = false;
  private control = false;
  /** A data frame without FIN was seen, and its message's last frame not yet. */
  private fragmented = false;
  private failed = false;

  constructor(private readonly maxMessage: number, private readonly maxSpan: number) {}

  /** Follows one chunk; says whether the connection may go on. */
  push(chunk: Buffer, now: number): GuardVerdict {
    if (this.failed) return 'ok';
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.since === 0) this.since = now;
      if (this.left > 0) {
        const take = Math.min(this.left, n - off);
        this.left -= take;
        off += take;
        this.spanBytes += take;
        if (this.left === 0) this.frameDone();
        continue;
      }
      this.head[this.headHave++] = chunk[off++]!;
      this.spanBytes++;
      if (this.headHave === 2) {
        const len7 = this.head[1]! & 0x7f;
        this.headNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.head[1]! & 0x80 ? 4 : 0);
      }
      if (this.headHave === this.headNeed) {
        const v = this.headerDone();
        if (v !== 'ok') return this.fail(v);
      }
    }
    if (this.since !== 0 && this.spanBytes > this.maxSpan) return this.fail('too-spread');
    return 'ok';
  }

  private headerDone(): GuardVerdict {
    const b0 = this.head[0]!;
    const len7 = this.head[1]! & 0x7f;
    let len = len7;
    if (len7 === 126) len = this.head.readUInt16BE(2);
    else if (len7 === 127) len = this.head.readUInt32BE(2) !== 0 ? Infinity : this.head.readUInt32BE(6);
    this.fin = (b0 & 0x80) !== 0;
    this.control = (b0 & 0x08) !== 0;
    this.headHave = 0;
    this.headNeed = 2;
    if (!this.control) {
      this.messageBytes += len;
      if (this.messageBytes > this.maxMessage) return 'too-large';
    }
    this.left = len;
    if (len === 0) this.frameDone();
    return 'ok';
  }

  private frameDone(): void {
    if (!this.control) {
      if (!this.fin) {
        this.fragmented = true;
        return;
      }
      this.fragmented = false;
    } else if (this.fragmented) {
      return;
    }
    // Between messages: nothing of the client's is held for it any more.
    this.since = 0;
    this.messageBytes = 0;
    this.spanBytes = 0;
  }

  private fail(v: GuardVerdict): GuardVerdict {
    this.failed = true;
    return v;
  }
}
