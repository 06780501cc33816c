// RoomHost in-process: seats and the connections behind them, the welcome's exact bytes, a
// dropped player frozen for the grace period and then removed (or thawed by a resume), a
// broadcast encoded once and written to every connected player, scores flushed before the state
// that shows them. The game is a recording stand-in: what is under test is the host.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFramed } from '../../../shared/protocol/framing.js';
import type { StateMsg } from '../../../shared/protocol/messages.js';
import { RoomHost, type HostEvents } from '../../../server/worker/rooms/room-host.js';
import { FakeConn, fakeRoomWorld, noPool, recordingGame, testConfig } from './fakes.js';

const GRACE_MS = 1000;

function setUp() {
  const config = testConfig({ graceMs: GRACE_MS });
  const game = recordingGame({ w: 640, h: 480 });
  const log: string[] = [];
  const events: HostEvents = {
    flushScores: (s) => log.push(`scores ${JSON.stringify(s)}`),
    playerGone: (_h, id) => log.push(`gone ${id}`),
    saveSnapshot: () => log.push('save'),
    openChanged: (h) => log.push(`open ${h.open}`),
    gameFailed: (_h, hook, err, suppressed) => log.push(`failed ${hook}: ${(err as Error).message} (+${suppressed})`),
  };
  const world = fakeRoomWorld();
  const host = new RoomHost('test-1', config, game, events, world, noPool);
  return { config, host, room: game.room!, log, world };
}

const seat = (id: string, score = 0) => ({ id, name: `n-${id}`, score });
const state = (tick: number): StateMsg => ({ t: 'state', tick, full: false, players: [], gone: [], coins: [], taken: [] });

describe('RoomHost', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('welcomes with the same bytes as before, then the room\'s game: the game gives the field, the host the rest', () => {
    const { host, config } = setUp();
    const c = new FakeConn();
    host.attach(seat('p1'), 'tok', c, false);
    const expected = encodeFramed({
      t: 'welcome', id: 'p1', token: 'tok', room: 'test-1', hz: config.hz, tick: 0, resumed: false, world: { w: 640, h: 480 }, game: 'test',
    });
    expect(c.frames[0]!.equals(expected)).toBe(true);
    // With --auth jwt the welcome adds name, then account (or guest), in that order.
    const a = new FakeConn();
    host.attach({ ...seat('p2'), identity: { account: 'acc-2', guest: false } }, 'tok2', a, true);
    expect(a.frames[0]!.equals(encodeFramed({
      t: 'welcome', id: 'p2', token: 'tok2', room: 'test-1', hz: config.hz, tick: 0, resumed: true, world: { w: 640, h: 480 },
      name: 'n-p2', account: 'acc-2', game: 'test',
    }))).toBe(true);
  });

  it('seats a player, freezes it when its connection goes, and removes it when the grace period runs out', () => {
    const { host, room, log } = setUp();
    const c = new FakeConn();
    host.attach(seat('p1'), 'tok', c, false);
    expect(room.calls).toEqual(['join p1', 'thaw p1']);
    expect(host.connected).toBe(1);

    host.detach('p1', c);
    expect(room.calls.at(-1)).toBe('freeze p1');
    expect(host.size).toBe(1);
    expect(host.connected).toBe(0);

    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(host.members.has('p1')).toBe(true);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(host.members.has('p1')).toBe(false);
    expect(room.calls.at(-1)).toBe('leave p1');
    expect(log).toEqual(['gone p1']);
  });

  it('a resume within the grace period thaws the seat and keeps it past the period', () => {
    const { host, room, log } = setUp();
    const c1 = new FakeConn();
    host.attach(seat('p1', 5), 'tok', c1, false);
    host.detach('p1', c1);
    vi.advanceTimersByTime(GRACE_MS / 2);
    const c2 = new FakeConn();
    host.attach(seat('p1', 0), 'tok', c2, true);
    expect(room.calls.slice(-2)).toEqual(['join p1', 'thaw p1']);
    // The higher of the stored and the held score goes to the game.
    expect(room.seated.get('p1')!.score).toBe(5);
    vi.advanceTimersByTime(GRACE_MS * 3);
    expect(host.members.get('p1')!.conn).toBe(c2);
    expect(log).toEqual([]);
    // A detach from the old connection (its close arriving late) changes nothing.
    host.detach('p1', c1);
    expect(host.connected).toBe(1);
  });

  it('a resume while the old connection is open takes the seat over and says bye to the old one', () => {
    const { host } = setUp();
    const c1 = new FakeConn();
    const c2 = new FakeConn();
    host.attach(seat('p1'), 'tok', c1, false);
    host.attach(seat('p1'), 'tok', c2, true);
    expect(c1.last('bye')).toEqual({ t: 'bye', reason: 'replaced' });
    expect(c1.ending).toBe(true);
    expect(host.members.get('p1')!.conn).toBe(c2);
  });

  it('a restored seat (after a worker restart) is frozen and goes when nobody resumes it', () => {
    const { host, room, log } = setUp();
    host.restore(seat('p9', 3));
    expect(room.calls).toEqual(['join p9', 'freeze p9']);
    vi.advanceTimersByTime(GRACE_MS);
    expect(log).toEqual(['gone p9']);
  });

  it('encodes a broadcast once and writes the same bytes to every connected player but those skipped', () => {
    const { host } = setUp();
    const conns = Array.from({ length: 6 }, () => new FakeConn());
    conns.forEach((c, i) => host.attach(seat(`p${i}`), 't', c, false));
    host.detach('p5', conns[5]!); // frozen: nothing is written to it
    for (const c of conns) c.frames.length = 0;

    host.broadcast(state(1), new Set(['p4']));
    const sent = conns.slice(0, 4).map((c) => c.frames);
    for (const f of sent) expect(f).toHaveLength(1);
    // One buffer object for all: encoded once, not once per player.
    for (const f of sent) expect(f[0]).toBe(sent[0]![0]);
    expect(sent[0]![0]!.equals(encodeFramed(state(1)))).toBe(true);
    expect(conns[4]!.frames).toHaveLength(0);
    expect(conns[5]!.frames).toHaveLength(0);
  });

  it('flushes score changes to the coordinator before the message that shows them is written', () => {
    const { host, log } = setUp();
    const c = new FakeConn();
    host.attach(seat('p1'), 't', c, false);
    c.frames.length = 0;
    host.scoreChanged('p1', 4);
    expect(log).toEqual([]);
    const origSend = c.sendFramed.bind(c);
    c.sendFramed = (f) => {
      log.push('written');
      origSend(f);
    };
    host.broadcast(state(2));
    expect(log).toEqual(['scores [["p1",4]]', 'written']);
    expect(host.members.get('p1')!.score).toBe(4);
    // Nothing pending: the next broadcast flushes nothing.
    host.broadcast(state(3));
    expect(log).toEqual(['scores [["p1",4]]', 'written', 'written']);
  });

  it('closeAll says bye to every connection and keeps the seats; end gives back the world', () => {
    const { host, log, world } = setUp();
    const c1 = new FakeConn();
    const c2 = new FakeConn();
    host.attach(seat('p1'), 't', c1, false);
    host.attach(seat('p2'), 't', c2, false);
    host.closeAll('restart');
    expect(c1.last('bye')).toEqual({ t: 'bye', reason: 'restart' });
    expect(c2.last('bye')).toEqual({ t: 'bye', reason: 'restart' });
    expect(host.size).toBe(2);
    vi.advanceTimersByTime(GRACE_MS * 2);
    expect(log).toEqual([]); // no grace timers: the seats wait for a resume on the next worker
    host.end();
    expect(world.closes).toBe(1);
  });

  it('ticks the game with a rising tick number and remove() ends a seat at once', () => {
    const { host, room, log } = setUp();
    const ticks: number[] = [];
    room.tick = (t: number) => void ticks.push(t);
    host.tick();
    host.tick();
    expect(ticks).toEqual([1, 2]);
    expect(host.tickNo).toBe(2);
    const c = new FakeConn();
    host.attach(seat('p1'), 't', c, false);
    host.remove('p1');
    expect(log).toEqual(['gone p1']);
    expect(room.calls.at(-1)).toBe('leave p1');
  });
});

describe('RoomHost as a game\'s context', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sendMany encodes once for the listed, connected players and skips the others', () => {
    const { host } = setUp();
    const [a, b, c] = [new FakeConn(), new FakeConn(), new FakeConn()];
    host.attach(seat('p1'), 't1', a, false);
    host.attach(seat('p2'), 't2', b, false);
    host.attach(seat('p3'), 't3', c, false);
    host.detach('p3', c);
    host.sendMany(['p1', 'p2', 'p3', 'nobody'], { t: 'hand', cards: [1, 2] });
    expect(a.frames[1]).toBe(b.frames[1]);
    expect(a.last('hand' as never)).toEqual({ t: 'hand', cards: [1, 2] });
    expect(c.frames).toHaveLength(1);
  });

  it('sends a game\'s own error code to one player, never fatal', () => {
    const { host } = setUp();
    const a = new FakeConn();
    host.attach(seat('p1'), 't1', a, false);
    host.error('p1', 'NOT_YOUR_TURN', 'wait for the other player');
    expect(a.last('error')).toEqual({ t: 'error', code: 'NOT_YOUR_TURN', message: 'wait for the other player', fatal: false });
    expect(a.closed).toBe(false);
  });

  it('cancels the room\'s timers and calls its end hook when the room ends, then gives back its world', () => {
    const { host, room, world } = setUp();
    const ended: string[] = [];
    (room as unknown as { end(): void }).end = () => ended.push('end');
    let fired = 0;
    host.timers.after(50, () => fired++);
    host.end();
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    expect(ended).toEqual(['end']);
    expect(world.closes).toBe(1);
  });

  it('asks for its snapshot to be saved when the game says so, with game and version beside the state', () => {
    const { host, log } = setUp();
    host.saveSnapshot();
    expect(log).toEqual(['save']);
    expect(host.snapshotRecord()).toEqual({ game: 'test', v: 1, tick: 0, state: {} });
  });

  it('tells the worker only when the game opens or closes its room; a room rebuilt starts as its record says', () => {
    const { host, log } = setUp();
    expect(host.open).toBe(true);
    host.setOpen(true);
    host.setOpen(false);
    host.setOpen(false);
    host.setOpen(true);
    expect(log).toEqual(['open false', 'open true']);
    const rebuilt = new RoomHost('test-2', testConfig(), recordingGame(), {
      flushScores: () => {}, playerGone: () => {}, saveSnapshot: () => {}, gameFailed: () => {}, openChanged: (h) => log.push(`rebuilt ${h.open}`),
    }, fakeRoomWorld(), noPool, undefined, false);
    expect(rebuilt.open).toBe(false);
    rebuilt.setOpen(false);
    expect(log).toEqual(['open false', 'open true']);
    rebuilt.setOpen(true);
    expect(log).toEqual(['open false', 'open true', 'rebuilt true']);
  });
});

describe('RoomHost welcome order', () => {
  it('sends the welcome before anything the game sends from join or thaw', () => {
    const { host, room } = setUp();
    const join = room.join.bind(room);
    room.join = (s) => {
      join(s);
      host.broadcast({ t: 'four', seated: s.id });
    };
    const a = new FakeConn();
    host.attach(seat('p1'), 't1', a, false);
    const b = new FakeConn();
    host.attach(seat('p1'), 't1', b, true);
    expect(a.messages().map((m) => m.t)).toEqual(['welcome', 'four', 'bye']);
    expect(b.messages().map((m) => m.t)).toEqual(['welcome', 'four']);
  });
});

describe('RoomHost and a game that throws', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the room (and the worker) going when a hook throws, and says so at most once a second', () => {
    const { host, room, log } = setUp();
    const a = new FakeConn();
    host.attach(seat('p1'), 't1', a, false);
    room.message = () => {
      throw new Error('game bug');
    };
    for (let i = 0; i < 50; i++) host.deliver('p1', { t: 'input', seq: i, dx: 0, dy: 0 });
    expect(log).toEqual(['failed message: game bug (+0)']);
    vi.advanceTimersByTime(1000);
    host.deliver('p1', { t: 'input', seq: 51, dx: 0, dy: 0 });
    expect(log).toEqual(['failed message: game bug (+0)', 'failed message: game bug (+49)']);
    room.tick = () => {
      throw new Error('tick bug');
    };
    expect(() => host.tick()).not.toThrow();
    // A timer of the game that throws is treated the same: logged once a second, never fatal.
    vi.advanceTimersByTime(1000);
    const bad = host.timers.every(10, () => {
      throw new Error('timer bug');
    });
    vi.advanceTimersByTime(100);
    // (+1: the tick's throw above came within a second of the last line, so it was only counted.)
    expect(log.slice(2).filter((l) => l.startsWith('failed timer'))).toEqual(['failed timer: timer bug (+1)']);
    // A throwing admit refuses the seat instead of leaving the join hanging.
    bad.cancel();
    vi.advanceTimersByTime(1000);
    (room as unknown as { admit(): never }).admit = () => {
      throw new Error('admit bug');
    };
    expect(host.admit(seat('p2'))).toEqual({ reason: 'GAME_ERROR', message: 'the game could not decide on this seat' });
    // (its count of lines held back includes the timer's throws after the last line)
    expect(log.at(-1)).toMatch(/^failed admit: admit bug \(\+\d+\)$/);
    // The room still seats and sends.
    host.broadcast({ t: 'four', still: true });
    expect(a.messages().at(-1)).toEqual({ t: 'four', still: true });
    expect(a.closed).toBe(false);
  });
});
