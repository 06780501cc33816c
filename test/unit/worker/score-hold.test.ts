// A room holds what it sends while a score flush awaits its acknowledgement (--store redis: the
// coordinator answers once Redis has the scores), so no player is shown a score a host that takes
// the room over after a crash would not have: the state that shows the score, and everything sent
// after it, reach the players only once the acknowledgement is in, in order, encoded once. A failed
// acknowledgement releases them too (play goes on; the worker keeps the scores). Without an
// acknowledgement to wait for (the file store) nothing is held.
import { describe, expect, it } from 'vitest';
import type { StateMsg } from '../../../shared/protocol/messages.js';
import { RoomHost, type HostEvents } from '../../../server/worker/rooms/room-host.js';
import { FakeConn, fakeRoomWorld, noPool, recordingGame, testConfig } from './fakes.js';

const state = (tick: number): StateMsg => ({ t: 'state', tick, full: false, players: [['p1', 0, 0, tick]], gone: [], coins: [], taken: [] });

function setUp(ack: () => unknown) {
  const flushed: Array<Array<[string, number]>> = [];
  const events: HostEvents = {
    flushScores: (s) => {
      flushed.push(s);
      return ack();
    },
    playerGone: () => {},
    saveSnapshot: () => {},
    openChanged: () => {},
    gameFailed: () => {},
  };
  const host = new RoomHost('r', testConfig({}), recordingGame({ w: 10, h: 10 }), events, fakeRoomWorld(), noPool);
  const a = new FakeConn();
  const b = new FakeConn();
  host.attach({ id: 'p1', name: 'a', score: 0 }, 't1', a, false);
  host.attach({ id: 'p2', name: 'b', score: 0 }, 't2', b, false);
  a.frames.length = 0;
  b.frames.length = 0;
  return { host, a, b, flushed };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const p = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { p, resolve, reject };
}

const ticks = (c: FakeConn) => c.messages().map((m) => (m as StateMsg).tick);

describe('states wait for their scores\' acknowledgement', () => {
  it('the state showing a new score, and what follows it, go out only once the scores are acknowledged, in order, encoded once', async () => {
    const acks = [deferred(), deferred()];
    let i = 0;
    const { host, a, b, flushed } = setUp(() => acks[i++]!.p);
    host.scoreChanged('p1', 1);
    host.broadcast(state(1));
    host.send('p2', state(2));
    host.scoreChanged('p1', 2);
    host.sendMany(['p1', 'p2'], state(3));
    expect(flushed).toEqual([[['p1', 1]], [['p1', 2]]]);
    expect(a.frames).toHaveLength(0);
    expect(b.frames).toHaveLength(0);
    acks[0]!.resolve();
    await acks[0]!.p;
    await Promise.resolve();
    // One acknowledgement is still awaited: nothing yet.
    expect(a.frames).toHaveLength(0);
    acks[1]!.resolve();
    await acks[1]!.p;
    await Promise.resolve();
    expect(ticks(a)).toEqual([1, 3]);
    expect(ticks(b)).toEqual([1, 2, 3]);
    // A broadcast is still one buffer for every connection.
    expect(a.frames[0]).toBe(b.frames[0]);
    // Nothing awaited: sent at once.
    host.broadcast(state(4));
    expect(ticks(a)).toEqual([1, 3, 4]);
  });

  it('a failed acknowledgement releases them too; without one to wait for, nothing is held', async () => {
    const d = deferred();
    const { host, a } = setUp(() => d.p);
    host.scoreChanged('p1', 1);
    host.broadcast(state(1));
    expect(a.frames).toHaveLength(0);
    d.reject(new Error('redis: timeout'));
    await d.p.catch(() => {});
    await Promise.resolve();
    expect(ticks(a)).toEqual([1]);
    const plain = setUp(() => undefined);
    plain.host.scoreChanged('p1', 1);
    plain.host.broadcast(state(1));
    expect(ticks(plain.a)).toEqual([1]);
  });
});
