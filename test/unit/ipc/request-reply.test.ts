// The one request/reply matcher (shared/ipc/request-reply.ts), in-process: ids, answers, failures,
// time limits with the caller's code, a throwing send, and rejecting everything on close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestReply } from '../../../shared/ipc/request-reply.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const TIMEOUT = { code: 'TEST_TIMEOUT', message: 'no answer' };

describe('RequestReply', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives each request its own id and settles each with its own answer, in any order', async () => {
    const rr = new RequestReply();
    const sent: number[] = [];
    const a = rr.request<string>((id) => sent.push(id), 1000, TIMEOUT);
    const b = rr.request<string>((id) => sent.push(id), 1000, TIMEOUT);
    expect(new Set(sent).size).toBe(2);
    expect(rr.size).toBe(2);
    expect(rr.resolve(sent[1]!, 'second')).toBe(true);
    expect(rr.resolve(sent[0]!, 'first')).toBe(true);
    await expect(a).resolves.toBe('first');
    await expect(b).resolves.toBe('second');
    expect(rr.size).toBe(0);
  });

  it('answers a request once: a second answer and an unknown id are ignored', async () => {
    const rr = new RequestReply();
    let id = 0;
    const p = rr.request<number>((i) => (id = i), 1000, TIMEOUT);
    expect(rr.resolve(id, 1)).toBe(true);
    expect(rr.resolve(id, 2)).toBe(false);
    expect(rr.fail(id, new Error('late'))).toBe(false);
    expect(rr.resolve(id + 100, 3)).toBe(false);
    await expect(p).resolves.toBe(1);
  });

  it('fails a request with the error given', async () => {
    const rr = new RequestReply();
    let id = 0;
    const p = rr.request((i) => (id = i), 1000, TIMEOUT);
    rr.fail(id, new CodedError('NOPE', 'refused'));
    await expect(p).rejects.toMatchObject({ code: 'NOPE', message: 'refused' });
  });

  it('times out with a CodedError carrying the caller\'s code, and forgets the request', async () => {
    vi.useFakeTimers();
    const rr = new RequestReply();
    let id = 0;
    const p = rr.request((i) => (id = i), 250, TIMEOUT);
    const seen = p.catch((e: unknown) => e);
    vi.advanceTimersByTime(249);
    expect(rr.size).toBe(1);
    vi.advanceTimersByTime(1);
    const err = await seen;
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: 'TEST_TIMEOUT', message: 'no answer' });
    expect(rr.size).toBe(0);
    // The answer arriving after the limit changes nothing.
    expect(rr.resolve(id, 'late')).toBe(false);
  });

  it('an answer in time clears the timer (no late timeout)', async () => {
    vi.useFakeTimers();
    const rr = new RequestReply();
    let id = 0;
    const p = rr.request<string>((i) => (id = i), 100, TIMEOUT);
    rr.resolve(id, 'ok');
    expect(vi.getTimerCount()).toBe(0);
    await expect(p).resolves.toBe('ok');
  });

  it('a send that throws fails the request at once with that error', async () => {
    const rr = new RequestReply();
    const p = rr.request(() => {
      throw new CodedError('SEND_FAILED', 'cannot send');
    }, 1000, TIMEOUT);
    await expect(p).rejects.toMatchObject({ code: 'SEND_FAILED' });
    expect(rr.size).toBe(0);
  });

  it('failAll rejects every waiting request (the transport closed) and clears their timers', async () => {
    vi.useFakeTimers();
    const rr = new RequestReply();
    const ps = [1, 2, 3].map(() => rr.request(() => {}, 1000, TIMEOUT).catch((e: CodedError) => e.code));
    rr.failAll(() => new CodedError('CLOSED', 'gone'));
    expect(rr.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await Promise.all(ps)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
  });
});
