// Matches answers to requests over any message transport (a socket channel, cluster IPC, a push
// and a later op): it owns the ids, the table of requests still waiting, their time limits and
// what happens to them when the transport closes. The transport only carries the id both ways.
// Every request ends exactly once: answered, failed, timed out (a CodedError with the caller's
// code) or rejected because the transport went away.
import { CodedError } from '../errors/coded-error.js';

interface Waiting {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class RequestReply {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  /**
   * Starts a request: `send` is given its id and puts it on the transport. Without an answer in
   * `timeoutMs` it fails with `new CodedError(timeout.code, timeout.message)`. A `send` that
   * throws fails it at once with that error.
   */
  request<R>(send: (id: number) => void, timeoutMs: number, timeout: { code: string; message: string }): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new CodedError(timeout.code, timeout.message));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        send(id);
      } catch (err) {
        this.fail(id, err as Error);
      }
    });
  }

  /** The answer to `id` came; false when it is no longer waited for (timed out, or unknown). */
  resolve(id: number, value: unknown): boolean {
    const w = this.take(id);
    if (!w) return false;
    w.resolve(value);
    return true;
  }

  /** `id` failed; false when it is no longer waited for. */
  fail(id: number, err: Error): boolean {
    const w = this.take(id);
    if (!w) return false;
    w.reject(err);
    return true;
  }

  /** The transport is gone: every request still waiting fails with `err`. */
  failAll(err: () => Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) {
      clearTimeout(w.timer);
      w.reject(err());
    }
  }

  /** Requests still waiting for their answer. */
  get size(): number {
    return this.waiting.size;
  }

  private take(id: number): Waiting | undefined {
    const w = this.waiting.get(id);
    if (!w) return undefined;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    return w;
  }
}
