// Scores of every room ticked in one pass of the tick loop are written once, at the pass's end
// (server/worker/rooms/tick-scores.ts, used by WorkerRuntime's loop): one write carries every
// room's changes, and no room's state showing a score reaches a player before that write; rooms
// without a score send at once. With --store redis the write's acknowledgement holds them further.
import { describe, expect, it } from 'vitest';
import type { StateMsg } from '../../../shared/protocol/messages.js';
import { RoomHost, type HostEvents } from '../../../server/worker/rooms/room-host.js';
import { TickScores, type Scores } from '../../../server/worker/rooms/tick-scores.js';
import { FakeConn, fakeRoomWorld, noPool, recordingGame, testConfig } from './fakes.js';

const state = (tick: number): StateMsg => ({ t: 'state', tick, full: false, players: [], gone: [], coins: [], taken: [] });

function rooms(n: number, log: string[], batch: TickScores) {
  const events: HostEvents = {
    flushScores: (s) => batch.add(s),
    playerGone: () => {},
    saveSnapshot: () => {},
    openChanged: () => {},
    gameFailed: () => {},
  };
  return Array.from({ length: n }, (_, i) => {
    const host = new RoomHost(`r${i}`, testConfig({}), recordingGame(), events, fakeRoomWorld(), noPool);
    const conn = new FakeConn();
    host.attach({ id: `p${i}`, name: `n${i}`, score: 0 }, 't', conn, false);
    conn.frames.length = 0;
    const send = conn.sendFramed.bind(conn);
    conn.sendFramed = (f) => {
      log.push(`send r${i}`);
      send(f);
    };
    return { host, conn };
  });
}

describe('scores written once per pass of the tick loop', () => {
  it('one write carries every room\'s scores, before any state that shows them; a room without one sends at once', async () => {
    const batch = new TickScores();
    const log: string[] = [];
    const [a, b, c] = rooms(3, log, batch);
    // One pass: rooms a and c score, b does not.
    a!.host.scoreChanged('p0', 1);
    a!.host.broadcast(state(1));
    b!.host.broadcast(state(1));
    c!.host.scoreChanged('p2', 5);
    c!.host.scoreChanged('p2', 6);
    c!.host.broadcast(state(1));
    // Held until the write, however long the pass takes to end.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(log).toEqual(['send r1']);
    const writes: Scores[] = [];
    batch.flush((s) => {
      writes.push(s);
      log.push('write');
      return undefined;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(writes).toEqual([[['p0', 1], ['p2', 5], ['p2', 6]]]);
    expect(log).toEqual(['send r1', 'write', 'send r0', 'send r2']);
    // A pass without scores writes nothing.
    batch.flush(() => {
      throw new Error('nothing to write');
    });
  });

  it('with an acknowledgement to wait for (--store redis), the held states go once it settles', async () => {
    const batch = new TickScores();
    const log: string[] = [];
    const [a] = rooms(1, log, batch);
    a!.host.scoreChanged('p0', 2);
    a!.host.broadcast(state(1));
    let ack!: () => void;
    batch.flush(() => new Promise<void>((r) => (ack = r)));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(log).toEqual([]);
    ack();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(log).toEqual(['send r0']);
    expect((a!.conn.messages()[0] as StateMsg).tick).toBe(1);
  });
});
