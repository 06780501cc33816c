// The worker's hello-deadline queues: a waiter times out once, at its latest deadline, and not at
// all once it has said hello; one re-armed (a refused hello) is not timed out at its old one; a
// cancelled deadline lets go of its waiter at once.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { HelloDeadlines, type HelloWaiter } from '../../../server/worker/session/hello-deadlines.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function waiter(): HelloWaiter & { fired: number[] } {
  const w = { fired: [] as number[], helloTimedOut: () => w.fired.push(Date.now()) };
  return w;
}

it('times each waiter out once, at its own deadline, unless it said hello or was re-armed', () => {
  const q = new HelloDeadlines();
  const start = Date.now();
  const plain = waiter();
  const greeted = waiter();
  const rearmed = waiter();
  q.arm(plain, 100);
  const greetedAt = q.arm(greeted, 100);
  const rearmedAt = q.arm(rearmed, 100);
  vi.advanceTimersByTime(30);
  const late = waiter();
  q.arm(late, 100);
  greetedAt.cancel(); // said hello
  vi.advanceTimersByTime(20);
  rearmedAt.cancel(); // refused hello at 50 ms: a new deadline at 150 ms
  q.arm(rearmed, 100);

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

it('lets go of a waiter as soon as its deadline is cancelled, and of every waiter once it fell due', () => {
  const q = new HelloDeadlines();
  const closed = waiter();
  const d = q.arm(closed, 5_000);
  const stays = waiter();
  const e = q.arm(stays, 5_000);
  d.cancel(); // the connection said hello, or closed
  expect(d.waiter).toBeNull();
  expect(e.waiter).toBe(stays);
  vi.advanceTimersByTime(5_000);
  expect(stays.fired).toHaveLength(1);
  expect(e.waiter).toBeNull();
  expect(closed.fired).toEqual([]);
});
