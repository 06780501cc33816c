// The worker's one hello-deadline queue: a waiter times out once, at its latest deadline, and not
// at all once it has said hello; one re-armed (a refused hello) is not timed out at its old one.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { HelloDeadlines, type HelloWaiter } from '../../../server/worker/session/hello-deadlines.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function waiter(): HelloWaiter & { fired: number[] } {
  const w = { helloBy: 0, fired: [] as number[], helloTimedOut: () => w.fired.push(Date.now()) };
  return w;
}

it('times each waiter out once, at its own deadline, unless it said hello or was re-armed', () => {
  const q = new HelloDeadlines();
  const start = Date.now();
  const plain = waiter();
  const greeted = waiter();
  const rearmed = waiter();
  q.arm(plain, 100);
  q.arm(greeted, 100);
  q.arm(rearmed, 100);
  vi.advanceTimersByTime(30);
  const late = waiter();
  q.arm(late, 100);
  greeted.helloBy = 0; // said hello
  vi.advanceTimersByTime(20);
  q.arm(rearmed, 100); // refused hello at 50 ms: a new deadline at 150 ms

  vi.advanceTimersByTime(50); // 100 ms
  expect(plain.fired).toEqual([start + 100]);
  expect(greeted.fired).toEqual([]);
  expect(rearmed.fired).toEqual([]);
  expect(late.fired).toEqual([]);

  vi.advanceTimersByTime(30); // 130 ms
  expect(late.fired).toEqual([start + 130]);
  expect(rearmed.fired).toEqual([]);

  vi.advanceTimersByTime(100); // 230 ms
  expect(rearmed.fired).toEqual([start + 150]);
  expect(plain.fired).toHaveLength(1);
  expect(greeted.fired).toEqual([]);
});

it('starts again after the queue ran empty', () => {
  const q = new HelloDeadlines();
  const a = waiter();
  q.arm(a, 100);
  vi.advanceTimersByTime(150);
  expect(a.fired).toHaveLength(1);
  const b = waiter();
  const at = Date.now();
  q.arm(b, 100);
  vi.advanceTimersByTime(100);
  expect(b.fired).toEqual([at + 100]);
});

it('a shorter hello timeout set at run time is not held behind deadlines set under the longer one', () => {
  const q = new HelloDeadlines();
  const start = Date.now();
  const early = waiter();
  q.arm(early, 10_000); // armed under the old helloTimeoutMs
  const after = waiter();
  q.arm(after, 500); // console `set helloTimeoutMs 500`, then a new connection
  vi.advanceTimersByTime(500);
  expect(after.fired).toEqual([start + 500]);
  expect(early.fired).toEqual([]);
  vi.advanceTimersByTime(9_500);
  expect(early.fired).toEqual([start + 10_000]);
});
