// A game's declared messages checked at the edge, over the real server, TCP and WebSocket alike,
// with four in a row (it declares move {col 0..6}, rematch {}, computer {}). A player alone in a
// four room is waiting, so the room answers any move it sees with its own NOT_PLAYING: a move
// refused at the edge and answered by BAD_MESSAGE alone is one the game never saw. Each exchange
// ends with a ping, so everything the server answered to the message arrived before the pong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

type Raw = RawTcp | RawWs;
let pingId = 0;

/** What the server answered to msg (state broadcasts aside), in order. */
async function answers(c: Raw, msg: unknown): Promise<Array<Record<string, unknown>>> {
  c.messages.length = 0;
  const id = ++pingId;
  c.send(msg);
  c.send({ t: 'ping', id });
  await c.next((m) => m.t === 'pong' && m.id === id, 15_000);
  return c.messages.filter((m) => m.t !== 'state');
}

const badMessage = (message: string) => [{ t: 'error', code: 'BAD_MESSAGE', message, fatal: false }];

describe.each(['tcp', 'ws'] as const)('declared game messages over %s', (transport) => {
  const open = (): Promise<Raw> => (transport === 'tcp' ? RawTcp.connect(server.port) : RawWs.connect(server.port));
  let rooms = 0;

  /** A player alone in a new four room (so waiting for an opponent). */
  async function waitingInFour(): Promise<Raw> {
    const c = await open();
    const room = `gm-${transport}-${++rooms}`;
    c.send(hello(`gm${transport}${rooms}`, { game: 'four', room }));
    const w = await c.next((m) => m.t === 'welcome', 15_000);
    expect(w).toMatchObject({ game: 'four', room });
    await c.next((m) => m.t === 'four' && m.status === 'waiting', 15_000);
    return c;
  }

  it('a declared message reaches the room of its game (which answers with its own code); core types work as ever', async () => {
    const c = await waitingInFour();
    expect(await answers(c, { t: 'move', col: 3 })).toEqual([
      { t: 'error', code: 'NOT_PLAYING', message: 'no game in progress (waiting)', fatal: false },
    ]);
    const chat = await answers(c, { t: 'chat', text: 'hello four' });
    expect(chat).toMatchObject([{ t: 'chat', text: 'hello four', scope: 'room' }]);
    expect(await answers(c, { t: 'input', seq: 1, dx: 3, dy: 0 })).toEqual(
      badMessage('input.dx and input.dy must be numbers in [-1, 1]'),
    );
    c.close();
  });

  it('a declared message with a bad, missing or extra field: BAD_MESSAGE naming the field, and the room never sees it', async () => {
    const c = await waitingInFour();
    const cases: Array<[unknown, string]> = [
      [{ t: 'move', col: 7 }, 'move.col: expected integer 0..6'],
      [{ t: 'move', col: -1 }, 'move.col: expected integer 0..6'],
      [{ t: 'move', col: 2.5 }, 'move.col: expected integer 0..6'],
      [{ t: 'move', col: '3' }, 'move.col: expected integer 0..6'],
      [{ t: 'move', col: null }, 'move.col: expected integer 0..6'],
      [{ t: 'move', col: NaN }, 'move.col: expected integer 0..6'],
      [{ t: 'move' }, 'move.col: missing, expected integer 0..6'],
      [{ t: 'move', col: 3, row: 0 }, 'move.row: not a declared field'],
      [{ t: 'computer', level: 9 }, 'computer.level: not a declared field'],
    ];
    for (const [msg, why] of cases) expect(await answers(c, msg), JSON.stringify(msg)).toEqual(badMessage(why));
    // The decoder's depth limit holds for a declared type, before its schema is asked.
    let deep: unknown = 3;
    for (let i = 0; i < 20; i++) deep = [deep];
    const [e, ...rest] = await answers(c, { t: 'move', col: deep });
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ t: 'error', code: 'BAD_MESSAGE', fatal: false });
    expect(e!.message).toMatch(/nested too deep/);
    // The seat is still waiting: none of those moved or started anything.
    expect(await answers(c, { t: 'move', col: 0 })).toEqual([
      { t: 'error', code: 'NOT_PLAYING', message: 'no game in progress (waiting)', fatal: false },
    ]);
    c.close();
  });

  it('a t neither core nor declared by the room\'s game is UNKNOWN_TYPE, another game\'s type included', async () => {
    const c = await waitingInFour();
    expect(await answers(c, { t: 'steer', col: 1 })).toEqual([
      { t: 'error', code: 'UNKNOWN_TYPE', message: 'unknown message type "steer"', fatal: false },
    ]);
    c.close();
    // An arena player: four's move is not the arena's.
    const a = await open();
    a.send(hello(`gmarena${transport}`, { room: `gm-arena-${transport}` }));
    expect(await a.next((m) => m.t === 'welcome', 15_000)).toMatchObject({ game: 'arena' });
    expect(await answers(a, { t: 'move', col: 3 })).toEqual([
      { t: 'error', code: 'UNKNOWN_TYPE', message: 'unknown message type "move"', fatal: false },
    ]);
    a.close();
  });

  it('before hello only core types are known: a declared type is UNKNOWN_TYPE, then hello seats the player', async () => {
    const c = await open();
    c.send({ t: 'move', col: 1 });
    expect(await c.next((m) => m.t === 'error', 15_000)).toEqual({ t: 'error', code: 'UNKNOWN_TYPE', message: 'unknown message type "move"', fatal: false });
    c.send({ t: 'ping', id: 1 });
    expect(await c.next((m) => m.t === 'error', 15_000)).toMatchObject({ code: 'NOT_JOINED', fatal: false });
    c.send(hello(`gmearly${transport}`, { game: 'four', room: `gm-early-${transport}` }));
    expect(await c.next((m) => m.t === 'welcome', 15_000)).toMatchObject({ game: 'four' });
    c.close();
  });

  it('the frame limit holds for a declared type: over --max-frame is FRAME_TOO_LARGE and closed', async () => {
    const c = await waitingInFour();
    c.send({ t: 'move', col: 1, pad: 'x'.repeat(70_000) });
    expect(await c.next((m) => m.t === 'error', 15_000)).toMatchObject({ code: 'FRAME_TOO_LARGE', fatal: true });
    await c.waitClosed(15_000);
  });
});
