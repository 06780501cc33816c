// A message channel between two Shoal processes over a stream socket (a Unix domain socket).
// Frames are a 4-byte length and a msgpackr-encoded batch: every message queued in one turn of
// the event loop goes out in one frame, so many small messages cost one write and one syscall.
// Requests carry an id and are matched to replies (request-reply.ts); a request never waits forever.
// A channel is typed by the boundary it crosses: the ops its far end serves, `{ op: [Args, Result] }`,
// and the topics that far end pushes, `{ topic: Payload }` (server/ipc/* declares them once for
// both ends).
import type net from 'node:net';
import { Packr, Unpackr } from 'msgpackr';
import { FrameReader, frame } from '../protocol/framing.js';
import { CodedError } from '../errors/coded-error.js';
import { RequestReply } from './request-reply.js';

const REQ = 0;
const REP = 1;
const PUSH = 2;

type Wire = [typeof REQ, number, string, unknown] | [typeof REP, number, boolean, unknown] | [typeof PUSH, string, unknown];

const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export const CHANNEL_MAX_FRAME = 256 * 1024 * 1024;

/** Ops one end serves: op name -> [arguments, result]. */
export type OpMap = { [op: string]: [unknown, unknown] };
/** Topics one end pushes: topic -> payload. */
export type PushMap = { [topic: string]: unknown };
export type OpName<O extends OpMap> = keyof O & string;
export type OpArgs<O extends OpMap, K extends keyof O> = O[K][0];
export type OpResult<O extends OpMap, K extends keyof O> = O[K][1];
/** A push as the receiver sees it: `[topic, payload]`, narrowed by its topic. */
export type PushOf<P extends PushMap> = { [K in keyof P & string]: [topic: K, payload: P[K]] }[keyof P & string];
/** A handler table with one handler per op: a missing or misnamed handler does not compile. */
export type OpHandlers<O extends OpMap, Ctx> = {
  [K in keyof O]: (args: O[K][0], ctx: Ctx) => O[K][1] | Promise<O[K][1]>;
};

/**
 * Takes the requests that arrive; `op` and `args` are as read off the wire (checked by the table).
 * Returns the result or a promise of it (`unknown` covers both).
 */
export type RequestHandler<O extends OpMap = OpMap, P extends PushMap = PushMap> =
  (op: string, args: unknown, channel: Channel<O, P>) => unknown;
export type PushHandler<P extends PushMap = PushMap> = (...push: PushOf<P>) => void;

export class Channel<O extends OpMap = OpMap, P extends PushMap = PushMap> {
  private readonly replies = new RequestReply();
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
    private readonly onRequest: RequestHandler<O, P> | null,
    private readonly onPush: PushHandler<P> | null,
    private readonly onClose: (ch: Channel<O, P>) => void = () => {},
  ) {
    sock.setNoDelay?.(true);
    this.reader = new FrameReader(CHANNEL_MAX_FRAME, (body) => this.receive(body), () => sock.destroy());
    sock.on('data', (chunk: Buffer) => this.reader.push(chunk));
    sock.on('error', () => {});
    sock.on('close', () => this.shutdown());
  }

  request<K extends OpName<O>>(op: K, args: OpArgs<O, K>, timeoutMs = 5000): Promise<OpResult<O, K>> {
    if (this.closed) return Promise.reject(new CodedError('CHANNEL_CLOSED', `channel closed (${op})`));
    return this.replies.request<OpResult<O, K>>(
      (id) => this.enqueue([REQ, id, op, args]),
      timeoutMs,
      { code: 'CHANNEL_TIMEOUT', message: `${op} got no answer within ${timeoutMs} ms` },
    );
  }

  push<K extends keyof P & string>(topic: K, payload: P[K]): void {
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
          // The far end pushes only its declared topics (a typed channel of the same boundary).
          this.onPush?.(...([m[1], m[2]] as PushOf<P>));
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
    if (ok) this.replies.resolve(id, v);
    else {
      const e = v as { code: string; message: string };
      this.replies.fail(id, new CodedError(e.code, e.message));
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.replies.failAll(() => new CodedError('CHANNEL_CLOSED', 'channel closed before the answer came'));
    this.onClose(this);
  }
}
