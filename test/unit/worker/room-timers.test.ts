// A room's timers: run when due, cancel on request, and all cancelled when the room ends (an
// ended room never runs again); a callback's throw goes to the host's handler, not the worker.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomTimerSet } from '../../../server/worker/rooms/room-timers.js';

describe('room timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs `after` once and `every` until cancelled', () => {
    const t = new RoomTimerSet();
    const seen: string[] = [];
    t.after(100, () => seen.push('after'));
    const e = t.every(40, () => seen.push('every'));
    vi.advanceTimersByTime(100);
    expect(seen).toEqual(['every', 'every', 'after']);
    expect(t.size).toBe(1);
    e.cancel();
    vi.advanceTimersByTime(200);
    expect(seen).toHaveLength(3);
    expect(t.size).toBe(0);
  });

  it('cancels every pending timer when the room ends, and starts none after', () => {
    const t = new RoomTimerSet();
    const seen: string[] = [];
    t.after(100, () => seen.push('turn'));
    t.every(10, () => seen.push('bot'));
    t.cancelAll();
    t.after(1, () => seen.push('late'));
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([]);
    expect(t.size).toBe(0);
  });

  it('hands a throwing callback to onError and keeps the other timers going', () => {
    const t = new RoomTimerSet();
    const errors: unknown[] = [];
    t.onError = (e) => errors.push(e);
    let n = 0;
    t.every(10, () => {
      throw new Error('game bug');
    });
    t.every(10, () => n++);
    vi.advanceTimersByTime(30);
    expect(errors).toHaveLength(3);
    expect(n).toBe(3);
  });
});
