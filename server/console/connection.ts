// One console connection: cuts the bytes it reads into request lines (bounded in bytes and in
// time), answers them one at a time in order, and pushes back on a client that sends faster than
// answers go out: at most `maxPipelined` lines are read ahead, and the next request waits until the
// last answer is written out. So a script that pipelines 200 000 requests, or that never reads its
// answers, holds a bounded amount of the primary's memory, not all of it.
import type net from 'node:net';
import { escapeJson } from './escape.js';
import { errorAnswer, type Answer } from './wire.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export interface ConnectionLimits {
  /** Longest request line in bytes (UTF-8), its newline not counted. */
  maxLineBytes: number;
  /** Request lines read ahead of their answers; past it the socket is not read. */
  maxPipelined: number;
  /** A line must be complete this long after its first byte. */
  lineTimeoutMs: number;
}

export interface ConnectionHooks {
  answer(line: string): Promise<Answer | null>;
  /** A connection closed for a bad line (for the audit log). */
  refused(code: string, message: string): void;
}

/** One answer line; hidden characters (from names, ids, reasons) go out as \uXXXX escapes. */
export const jsonLine = (a: Answer): string => escapeJson(JSON.stringify(a)) + '\n';

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);
/** After the last answer of a connection we close, how long a peer that reads nothing keeps it. */
const LINGER_MS = 2000;

export class ConsoleConnection {
  /** Bytes read and not yet cut into lines. */
  private pending: Buffer = EMPTY;
  private readonly queue: string[] = [];
  private running = false;
  /** The peer has sent everything (half-close). */
  private ended = false;
  /** Nothing more is read: a bad line ended the connection, or it closed. */
  private stopped = false;
  private closed = false;
  /** The error to send once the queued requests are answered, before closing. */
  private last: Answer | null = null;
  private lineTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sock: net.Socket,
    private readonly limits: ConnectionLimits,
    private readonly hooks: ConnectionHooks,
  ) {
    sock.on('data', (chunk: Buffer) => {
      if (this.stopped) return;
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.cut();
      void this.pump();
    });
    sock.on('end', () => {
      this.ended = true;
      this.cut();
      void this.pump();
    });
    sock.on('close', () => {
      this.closed = this.stopped = true;
      this.clearTimer();
      this.queue.length = 0;
      this.pending = EMPTY;
    });
  }

  /** Moves complete lines from `pending` to the queue, as far as the queue has room. */
  private cut(): void {
    const { maxLineBytes, maxPipelined } = this.limits;
    let cutAny = false;
    while (!this.stopped && this.queue.length < maxPipelined) {
      const i = this.pending.indexOf(NL);
      if (i < 0) break;
      if (i > maxLineBytes) return this.refuse('LINE_TOO_LONG', `a request line is at most ${maxLineBytes} bytes`);
      this.queue.push(this.pending.toString('utf8', 0, i));
      this.pending = this.pending.subarray(i + 1);
      cutAny = true;
    }
    if (this.stopped) return;
    const partial = this.pending.length > 0 && this.pending.indexOf(NL) < 0;
    if (partial && this.pending.length > maxLineBytes) {
      // No newline in sight: there is no next request to find.
      return this.refuse('LINE_TOO_LONG', `a request line is at most ${maxLineBytes} bytes`);
    }
    if (partial && this.ended && this.queue.length < maxPipelined) {
      // The peer is done: its last line needs no newline (`echo status | socat ...`).
      this.queue.push(this.pending.toString('utf8'));
      this.pending = EMPTY;
      cutAny = true;
    }
    // Read on while the queue has room; else leave the bytes in the kernel, so the client blocks.
    const reading = !this.ended && this.queue.length < maxPipelined;
    if (reading) this.sock.resume();
    else this.sock.pause();
    // The clock runs for a line that has started and that we are reading; a new line restarts it.
    const started = partial && this.pending.length > 0;
    if (cutAny || !started || !reading) this.clearTimer();
    if (started && reading && !this.lineTimer) {
      this.lineTimer = setTimeout(() => {
        this.lineTimer = null;
        this.refuse('LINE_TIMEOUT', `a request line must be complete within ${this.limits.lineTimeoutMs} ms of its first byte`);
        void this.pump();
      }, this.limits.lineTimeoutMs);
    }
  }

  private refuse(code: string, message: string): void {
    this.stopped = true;
    this.pending = EMPTY;
    this.clearTimer();
    this.sock.pause();
    this.hooks.refused(code, message);
    this.last = errorAnswer(null, new CodedError(code, message));
  }

  private clearTimer(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.lineTimer = null;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const a = await this.hooks.answer(this.queue.shift()!);
        if (a && !this.closed && !this.sock.write(jsonLine(a))) await this.drained();
        this.cut();
      }
    } finally {
      this.running = false;
    }
    if (this.closed) return;
    if (this.last) {
      this.sock.end(jsonLine(this.last));
      this.last = null;
      setTimeout(() => this.sock.destroy(), LINGER_MS).unref();
    } else if (this.ended && this.pending.length === 0 && this.queue.length === 0) {
      this.stopped = true;
      this.sock.end();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sock.off('drain', done);
        this.sock.off('close', done);
        resolve();
      };
      this.sock.on('drain', done);
      this.sock.on('close', done);
    });
  }
}
