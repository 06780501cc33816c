// ClientSession in-process: hello first (anything else is NOT_JOINED; a hello not answered in
// time is HELLO_TIMEOUT), messages sent while the hello is being answered are kept and handled
// after, a refused hello may be retried, a second hello is refused, the token bucket refuses
// past the rate (one RATE_LIMITED a second at most, and closes a flood), and every malformed
// message is a coded error. The worker runtime is a stand-in (the real one needs a coordinator);
// the room host behind it is the real RoomHost.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode } from '../../../shared/protocol/codec.js';
import type { ErrorCode, HelloMsg } from '../../../shared/protocol/messages.js';
import type { Config } from '../../../server/config/schema.js';
import { defineMessages, Type, type Identity } from '../../../server/game-api/index.js';
import type { GameMessageChecker } from '../../../shared/protocol/validate.js';
import { GameValidators } from '../../../server/worker/session/game-validators.js';
import { RoomHost } from '../../../server/worker/rooms/room-host.js';
import { ClientSession, type JoinOutcome, type SessionRuntime } from '../../../server/worker/session/client-session.js';
import { FakeConn, fakeRoomWorld, noPool, recordingGame, testConfig } from './fakes.js';

type Refusal = { code: ErrorCode; message: string };

/** The declared messages of the recording game ('test'). */
const TEST_MESSAGES = defineMessages({
  drop: Type.Object({ col: Type.Integer({ minimum: 0, maximum: 6 }) }),
  note: Type.Object({ text: Type.String() }),
});

class StandInRuntime implements SessionRuntime {
  auth = null;
  shuttingDown = false;
  readonly game = recordingGame();
  readonly host: RoomHost;
  readonly joins: Array<{ name: string; room?: string; hint?: string }> = [];
  readonly global: string[] = [];
  readonly closed: ClientSession[] = [];
  /** The answer the next join gets; a pending promise holds it until released. */
  answer: () => Promise<'joined' | Refusal> = () => Promise.resolve('joined');

  private readonly validators: GameValidators;

  constructor(readonly config: Config) {
    // Compiled as the worker does at start (runtime.ts), for the one game this stand-in hosts.
    this.validators = new GameValidators([{ name: this.game.name, messages: TEST_MESSAGES }], config.gameStringMax);
    this.host = new RoomHost('test-1', config, this.game, { flushScores: () => {}, playerGone: () => {}, saveSnapshot: () => {}, gameFailed: () => {} }, fakeRoomWorld(), noPool);
  }

  async join(session: ClientSession, hello: HelloMsg, room: string | undefined, hint?: string, _identity?: Identity): Promise<JoinOutcome> {
    this.joins.push({ name: hello.name, room, hint });
    const a = await this.answer();
    if (a !== 'joined') return a;
    const id = `p${this.joins.length}`;
    session.joined(this.host, id, hello.name);
    this.host.attach({ id, name: hello.name, score: 0 }, 'tok', session.conn, false);
    return 'joined';
  }

  globalChat(from: string, name: string, text: string): void {
    this.global.push(`${from} ${name} ${text}`);
  }

  top(): Promise<Array<[string, number]>> {
    return Promise.resolve([['ann', 3]]);
  }

  sessionClosed(s: ClientSession): void {
    this.closed.push(s);
  }

  validatorFor(game: string): GameMessageChecker | undefined {
    return this.validators.validatorFor(game);
  }
}

function setUp(over: Partial<Config> = {}) {
  const rt = new StandInRuntime(testConfig(over));
  const conn = new FakeConn();
  const session = new ClientSession(rt, conn, 'hinted-room');
  const send = (m: unknown) => session.receive(Buffer.from(encode(m)));
  const errors = () => conn.messages().filter((m) => m.t === 'error').map((m) => (m as { code: string }).code);
  return { rt, conn, session, send, errors };
}

const hello = (name = 'ann', extra: Partial<HelloMsg> = {}) => ({ t: 'hello', v: 1, name, ...extra });
const settle = () => new Promise((r) => setImmediate(r));

describe('ClientSession', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes nothing before hello: NOT_JOINED, and the connection stays open for a hello', async () => {
    const { send, errors, conn, session, rt } = setUp();
    send({ t: 'ping', id: 1 });
    send({ t: 'input', seq: 1, dx: 1, dy: 0 });
    expect(errors()).toEqual(['NOT_JOINED', 'NOT_JOINED']);
    expect(conn.ending).toBe(false);
    send(hello());
    await settle();
    expect(session.state).toBe('joined');
    // No room named: the room matchmaking picked at routing is the hint.
    expect(rt.joins).toEqual([{ name: 'ann', room: undefined, hint: 'hinted-room' }]);
    expect(conn.last('welcome')?.id).toBe('p1');
  });

  it('a hello naming a room goes there, without the hint', async () => {
    const { send, rt } = setUp();
    send(hello('bo', { room: 'lobby' }));
    await settle();
    expect(rt.joins).toEqual([{ name: 'bo', room: 'lobby', hint: undefined }]);
  });

  it('keeps messages sent while the hello is answered, and handles them once seated', async () => {
    const { send, rt, conn, session } = setUp();
    let release!: () => void;
    rt.answer = () => new Promise((r) => (release = () => r('joined')));
    send(hello());
    await settle();
    expect(session.state).toBe('joining');
    send({ t: 'ping', id: 7 });
    send({ t: 'input', seq: 1, dx: 1, dy: 0 });
    expect(conn.messages().filter((m) => m.t === 'pong')).toEqual([]);
    release();
    await settle();
    expect(conn.last('pong')).toEqual({ t: 'pong', id: 7, tick: 0 });
    expect(rt.game.room!.messages).toEqual([['p1', { t: 'input', seq: 1, dx: 1, dy: 0 }]]);
  });

  it('a refused hello leaves the connection able to try again; a second hello once seated is refused', async () => {
    const { send, rt, errors, session } = setUp();
    rt.answer = () => Promise.resolve({ code: 'ROOM_FULL', message: 'full' });
    send(hello());
    await settle();
    expect(errors()).toEqual(['ROOM_FULL']);
    expect(session.state).toBe('new');
    rt.answer = () => Promise.resolve('joined');
    send(hello());
    await settle();
    expect(session.state).toBe('joined');
    send(hello());
    expect(errors()).toEqual(['ROOM_FULL', 'BAD_MESSAGE']);
  });

  it('a connection that sends no hello in helloTimeoutMs gets HELLO_TIMEOUT and is closed', () => {
    vi.useFakeTimers();
    const { errors, conn } = setUp({ helloTimeoutMs: 500 });
    vi.advanceTimersByTime(499);
    expect(errors()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(errors()).toEqual(['HELLO_TIMEOUT']);
    expect(conn.ending).toBe(true);
  });

  it('refuses hello while the worker shuts down', async () => {
    const { send, rt, errors } = setUp();
    rt.shuttingDown = true;
    send(hello());
    await settle();
    expect(errors()).toEqual(['SHUTTING_DOWN']);
    expect(rt.joins).toEqual([]);
  });

  it('answers every malformed message with a coded error and keeps the connection', async () => {
    const { send, session, errors, conn } = setUp({ chatMax: 5 });
    send(hello());
    await settle();
    session.receive(Buffer.from([0xc1])); // never-used MessagePack byte
    send([1, 2]);
    send({ t: 'input', seq: 1, dx: 2, dy: 0 }); // outside [-1, 1]
    send({ t: 'chat', text: 'too long', scope: 'room' }); // over chatMax
    send({ t: 'warp' }); // a type the protocol does not have
    expect(errors()).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'UNKNOWN_TYPE']);
    expect(conn.ending).toBe(false);
  });

  it('takes only core types before hello: a type the game declares is UNKNOWN_TYPE until joined', async () => {
    const { send, errors, rt } = setUp();
    send({ t: 'drop', col: 1 });
    send({ t: 'input', seq: 1, dx: 0, dy: 0 });
    expect(errors()).toEqual(['UNKNOWN_TYPE', 'NOT_JOINED']);
    send(hello());
    await settle();
    send({ t: 'drop', col: 1 });
    expect(errors()).toEqual(['UNKNOWN_TYPE', 'NOT_JOINED']);
    expect(rt.game.room!.messages).toEqual([['p1', { t: 'drop', col: 1 }]]);
  });

  it('passes a declared message to the room as sent; a bad one gets BAD_MESSAGE naming the field and never reaches the room', async () => {
    const { send, conn, rt } = setUp({ gameStringMax: 8 });
    send(hello());
    await settle();
    send({ t: 'drop', col: 9 });
    send({ t: 'drop' });
    send({ t: 'drop', col: 2, x: 1 });
    send({ t: 'note', text: 'x'.repeat(9) });
    send({ t: 'nope' });
    send({ t: 'note', text: 'x'.repeat(8) });
    send({ t: 'input', seq: 4, dx: 1, dy: 0 });
    const refused = conn.messages().filter((m) => m.t === 'error').map((m) => `${(m as { code: string }).code} ${(m as { message: string }).message}`);
    expect(refused).toEqual([
      'BAD_MESSAGE drop.col: expected integer 0..6',
      'BAD_MESSAGE drop.col: missing, expected integer 0..6',
      'BAD_MESSAGE drop.x: not a declared field',
      'BAD_MESSAGE note.text: expected string of 0..8 characters',
      'UNKNOWN_TYPE unknown message type "nope"',
    ]);
    expect(rt.game.room!.messages).toEqual([
      ['p1', { t: 'note', text: 'x'.repeat(8) }],
      ['p1', { t: 'input', seq: 4, dx: 1, dy: 0 }],
    ]);
    expect(conn.ending).toBe(false);
  });

  it('checks declared messages sent while the hello was being answered once seated, against the game', async () => {
    const { send, rt, errors } = setUp();
    let release!: () => void;
    rt.answer = () => new Promise((r) => (release = () => r('joined')));
    send(hello());
    send({ t: 'drop', col: 3 });
    send({ t: 'drop', col: 30 });
    await settle();
    release();
    await settle();
    expect(rt.game.room!.messages).toEqual([['p1', { t: 'drop', col: 3 }]]);
    expect(errors()).toEqual(['BAD_MESSAGE']);
  });

  it('sends world-scope chat to every room (the global chat) and room chat to its room', async () => {
    const { send, rt, conn } = setUp();
    send(hello());
    await settle();
    send({ t: 'chat', text: 'hi all', scope: 'world' });
    send({ t: 'chat', text: 'hi room', scope: 'room' });
    expect(rt.global).toEqual(['p1 ann hi all']);
    expect(conn.last('chat')).toEqual({ t: 'chat', from: 'p1', name: 'ann', text: 'hi room', scope: 'room' });
    send({ t: 'top' });
    await settle();
    expect(conn.last('top')).toEqual({ t: 'top', players: [['ann', 3]] });
  });

  it('refuses past the rate with RATE_LIMITED (at most one a second) and closes a flood', async () => {
    // 1 message a second, bursts of 2; the 4th refusal in a row closes.
    const { send, errors, conn } = setUp({ maxMsgRate: 1, rateLimitCloseAfter: 4 });
    send(hello()); // 1st token
    await settle();
    send({ t: 'ping', id: 1 }); // 2nd token
    expect(conn.last('pong')?.id).toBe(1);
    send({ t: 'ping', id: 2 }); // refused: RATE_LIMITED
    send({ t: 'ping', id: 3 }); // refused, no second error within the second
    expect(errors()).toEqual(['RATE_LIMITED']);
    expect(conn.last('pong')?.id).toBe(1);
    send({ t: 'ping', id: 4 });
    expect(conn.ending).toBe(false);
    send({ t: 'ping', id: 5 }); // 4th refusal in a row
    expect(conn.last('bye')).toEqual({ t: 'bye', reason: 'flooding' });
    expect(conn.ending).toBe(true);
  });

  it('the bucket refills at the rate: a client within it is never refused', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout', 'setImmediate'] });
    const { send, errors, conn } = setUp({ maxMsgRate: 10, rateLimitCloseAfter: 1000 });
    send(hello());
    await vi.advanceTimersByTimeAsync(1);
    // 10 a second for 3 seconds, after the burst is spent.
    for (let i = 0; i < 20; i++) send({ t: 'ping', id: i });
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(100);
      send({ t: 'ping', id: 100 + i });
    }
    expect(errors()).toEqual(['RATE_LIMITED']); // only the one past the initial burst
    expect(conn.last('pong')?.id).toBe(129);
  });

  it('a joined player whose connection closes is frozen in its room (not removed); leave removes it', async () => {
    const a = setUp();
    a.send(hello());
    await settle();
    a.conn.destroy();
    expect(a.rt.closed).toEqual([a.session]);
    expect(a.rt.host.members.get('p1')?.conn).toBe(null);
    expect(a.rt.game.room!.calls.at(-1)).toBe('freeze p1');

    const b = setUp();
    b.send(hello());
    await settle();
    b.send({ t: 'leave' });
    expect(b.conn.last('bye')).toEqual({ t: 'bye', reason: 'leave' });
    expect(b.rt.host.members.has('p1')).toBe(false);
    expect(b.rt.game.room!.calls.at(-1)).toBe('leave p1');
  });
});
