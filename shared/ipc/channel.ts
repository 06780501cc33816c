// A message channel between two Shoal processes over a stream socket (a Unix domain socket).
// Frames are a 4-byte length and a msgpackr-encoded batch: every message queued in one turn of
// the event loop goes out in one frame, so many small messages cost one write and one syscall.
// Requests carry an id and are matched to replies; a request never waits forever.
import type net from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import { FrameReader, frame } from '../protocol/framing.js';
import { CodedError } from '../errors/coded-error.js';

const REQ = 0;
const REP = 1;
const PUSH = 2;

type Wire = [typeof REQ, number, string, unknown] | [typeof REP, number, boolean, unknown] | [typeof PUSH, string, unknown];

const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const CHANNEL_MAX_FRAME = 256 * 1024 * 1024;

export type RequestHandler = (op: string, args: any, channel: Channel) => unknown | Promise<unknown>;
export type PushHandler = (topic: string, payload: any, channel: Channel) => void;

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private queue: Wire[] = [];
  private flushScheduled = false;
  private readonly reader: FrameReader;
  closed = false;
  /** Set by whoever owns the channel: who is on the other end. */
  peer: Record<string, unknown> = {};
  messagesIn = 0;
  messagesOut = 0;

  constructor(
    private readonly sock: net.Socket,
    private readonly onRequest: RequestHandler | null,
    private readonly onPush: PushHandler | null,
    private readonly onClose: (ch: Channel) => void = () => {},
  ) {
    sock.setNoDelay?.(true);
    this.reader = new FrameReader(CHANNEL_MAX_FRAME, (body) => this.receive(body), () => sock.destroy());
    sock.on('data', (chunk: Buffer) => this.reader.push(chunk));
    sock.on('error', () => {});
    sock.on('close', () => this.shutdown());
  }

  request<T = any>(op: string, args: unknown, timeoutMs = 5000): Promise<T> {
    if (this.closed) return Promise.reject(new CodedError('CHANNEL_CLOSED', `channel closed (${op})`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CodedError('CHANNEL_TIMEOUT', `${op} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.enqueue([REQ, id, op, args]);
    });
  }

  push(topic: string, payload: unknown): void {
    if (!this.closed) this.enqueue([PUSH, topic, payload]);
  }

  /** Writes everything queued now, instead of at the end of this turn. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    this.messagesOut += batch.length;
    this.sock.write(frame(packr.pack(batch)));
  }

  close(): void {
    this.flush();
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }

  /** Bytes written but not yet taken by the socket (for senders that pace themselves). */
  get backlog(): number {
    return this.sock.writableLength;
  }

  private enqueue(m: Wire): void {
    this.queue.push(m);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private receive(body: Buffer): void {
    let batch: Wire[];
    try {
      batch = unpackr.unpack(body) as Wire[];
    } catch {
      this.sock.destroy();
      return;
    }
    this.messagesIn += batch.length;
    for (const m of batch) {
      if (m[0] === REQ) this.answer(m[1], m[2], m[3]);
      else if (m[0] === REP) this.settle(m[1], m[2], m[3]);
      else if (m[0] === PUSH) {
        try {
          this.onPush?.(m[1], m[2], this);
        } catch (err) {
          process.emitWarning(`push handler for ${m[1]} threw: ${(err as Error).stack}`);
        }
      }
    }
  }

  private answer(id: number, op: string, args: unknown): void {
    const ok = (v: unknown) => this.enqueue([REP, id, true, v === undefined ? null : v]);
    const fail = (err: unknown) => {
      const e = err as { code?: string; message?: string };
      this.enqueue([REP, id, false, { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) }]);
    };
    if (!this.onRequest) return fail(new CodedError('NO_HANDLER', 'this end takes no requests'));
    try {
      const r = this.onRequest(op, args, this);
      if (r instanceof Promise) r.then(ok, fail);
      else ok(r);
    } catch (err) {
      fail(err);
    }
  }

  private settle(id: number, ok: boolean, v: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (ok) p.resolve(v);
    else {
      const e = v as { code: string; message: string };
      p.reject(new CodedError(e.code, e.message));
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new CodedError('CHANNEL_CLOSED', 'channel closed before the answer came'));
    }
    this.pending.clear();
    this.onClose(this);
  }
}
