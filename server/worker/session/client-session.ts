// One client's protocol state machine: hello first (within the timeout), then game messages to
// its room. Everything a client sends passes the rate limit and validation here; nothing past
// this point sees untrusted input.
import { parseClientMessage, type GameMessageChecker } from '../../../shared/protocol/validate.js';
import type { ClientMessage, ErrorCode, HelloMsg } from '../../../shared/protocol/messages.js';
import type { Identity } from '../../game-api/index.js';
import { messagesIn, messagesOut, rateLimitCloses, rateLimitedMessages } from '../../metrics/registry.js';
import { HOT_INPUT, HOT_PING, hot, readHotMessage } from '../../../shared/protocol/hot-messages.js';
import { pongFramed } from './pong-frame.js';
import type { TopOutMsg } from '../../../shared/protocol/messages.js';
import type { AuthVerifier } from '../../auth/verifier.js';
import type { Config } from '../../config/schema.js';
import type { RoomHost } from '../rooms/room-host.js';
import { HelloDeadlines, type HelloDeadline, type HelloWaiter } from './hello-deadlines.js';
import type { ClientConn } from './client-conn.js';
import { TokenBucket } from './rate-limiter.js';

/** How a hello ended: seated here, relayed to the worker that runs the room, or refused. */
export type JoinOutcome = 'joined' | 'relayed' | { code: ErrorCode; message: string; to?: string };

/**
 * What a session needs of its worker: the WorkerRuntime (runtime.ts), or a stand-in in a unit
 * test. Declared here so the runtime depends on sessions and not both ways.
 */
export interface SessionRuntime {
  readonly config: Config;
  readonly auth: AuthVerifier | null;
  readonly shuttingDown: boolean;
  /** Seats the session's player (or relays it); `room`, `hint` and `identity` as the hello resolved them. */
  join(session: ClientSession, hello: HelloMsg, room: string | undefined, hint?: string, identity?: Identity): Promise<JoinOutcome>;
  /** A line for every room of the server. */
  globalChat(from: string, name: string, text: string): void;
  top(): Promise<TopOutMsg['players']>;
  sessionClosed(s: ClientSession): void;
  /** The compiled client messages a game declared (compiled once at start); undefined: none. */
  validatorFor(game: string): GameMessageChecker | undefined;
}

type State = 'new' | 'joining' | 'joined' | 'relayed' | 'closed';

const MAX_QUEUED_WHILE_JOINING = 32;
/** What a connection without a /ws query (TCP, relayed) has: one object for all of them. */
const NO_QUERY: { room?: string; token?: string; game?: string; auth?: string } = Object.freeze({});

/** Every session of this worker process waits for its hello on one queue and one timer. */
const helloDeadlines = new HelloDeadlines();

export class ClientSession implements HelloWaiter {
  state: State = 'new';
  host: RoomHost | null = null;
  playerId = '';
  name = '';
  /** Messages that arrived while the hello was being answered (made only then). */
  private queued: Buffer[] | null = null;
  private readonly bucket: TokenBucket;
  private refusedInRow = 0;
  private lastRateError = 0;
  /** The hello deadline armed now; cancelled on hello, close or a new arm. */
  private helloDeadline: HelloDeadline | null = null;
  /** Its game's declared messages, once joined: before, only core types are known. */
  private gameMessages: GameMessageChecker | undefined = undefined;
  /** Set while this connection is relayed to the worker that runs its room. */
  relayTo: ((body: Buffer) => void) | null = null;

  constructor(
    private readonly rt: SessionRuntime,
    readonly conn: ClientConn,
    private readonly hintRoom?: string,
    /** room, token, game and auth from a WebSocket's /ws query: defaults for what hello leaves out. */
    private readonly query: { room?: string; token?: string; game?: string; auth?: string } = NO_QUERY,
  ) {
    const rate = rt.config.maxMsgRate;
    this.bucket = new TokenBucket(rate, rate * 2);
    conn.onMessage = (body) => this.receive(body);
    conn.onClose = () => this.closed();
    // The full timeout from when this worker has the connection: time spent queued in the
    // primary under a connect burst is the server's, not the client's.
    this.armHelloTimer(rt.config.helloTimeoutMs);
  }

  private armHelloTimer(ms: number): void {
    this.helloDeadline?.cancel();
    this.helloDeadline = helloDeadlines.arm(this, ms);
  }

  private cancelHelloTimer(): void {
    this.helloDeadline?.cancel();
    this.helloDeadline = null;
  }

  /** Called by the worker's one hello-deadline queue. */
  helloTimedOut(): void {
    if (this.state === 'new') this.conn.error('HELLO_TIMEOUT', `no hello within ${this.rt.config.helloTimeoutMs} ms`);
  }

  setRate(rate: number): void {
    this.bucket.setRate(rate);
  }

  receive(body: Buffer): void {
    if (this.state === 'closed' || this.conn.ending) return;
    messagesIn.inc();
    if (!this.bucket.take()) {
      this.refusedInRow++;
      rateLimitedMessages.inc();
      if (this.refusedInRow >= this.rt.config.rateLimitCloseAfter) {
        rateLimitCloses.inc();
        this.conn.bye('flooding');
        return;
      }
      const now = Date.now();
      // One error a second at most: a flood must not make us flood back.
      if (now - this.lastRateError >= 1000) {
        this.lastRateError = now;
        this.conn.error('RATE_LIMITED', `more than ${this.rt.config.maxMsgRate} messages a second`);
      }
      return;
    }
    this.refusedInRow = 0;
    if (this.state === 'relayed') {
      this.relayTo?.(body);
      return;
    }
    if (this.state === 'joining') {
      const q = (this.queued ??= []);
      if (q.length < MAX_QUEUED_WHILE_JOINING) q.push(body);
      return;
    }
    // A playing client's input and ping, in their plainest encoding, skip the general decode and
    // its objects (hot-messages.ts answers only what the general path would, else HOT_NONE).
    if (this.state === 'joined') {
      const kind = readHotMessage(body, this.rt.config.maxMsgDepth);
      if (kind === HOT_INPUT) {
        this.host!.deliver(this.playerId, { t: 'input', seq: hot.seq, dx: hot.dx, dy: hot.dy });
        return;
      }
      if (kind === HOT_PING) {
        this.pong(hot.id);
        return;
      }
    }
    const p = parseClientMessage(body, this.rt.config, this.gameMessages);
    if (!p.ok) {
      this.conn.error(p.code, p.message);
      return;
    }
    // A declared message exists only once joined (gameMessages is set then): straight to the room.
    if (p.game) this.host!.deliver(this.playerId, p.msg);
    else this.dispatch(p.msg);
  }

  private dispatch(msg: ClientMessage): void {
    if (this.state === 'new') {
      if (msg.t !== 'hello') {
        this.conn.error('NOT_JOINED', `${msg.t} before a successful hello`);
        return;
      }
      void this.hello(msg);
      return;
    }
    const host = this.host!;
    switch (msg.t) {
      case 'hello':
        this.conn.error('BAD_MESSAGE', 'already joined');
        return;
      case 'ping':
        this.pong(msg.id);
        return;
      case 'chat':
        // The wire calls server-wide chat scope 'world'; in code it is the global chat.
        if (msg.scope === 'world') this.rt.globalChat(this.playerId, this.name, msg.text);
        else host.broadcast({ t: 'chat', from: this.playerId, name: this.name, text: msg.text, scope: 'room' });
        return;
      case 'top':
        this.rt.top().then(
          (players) => this.conn.send({ t: 'top', players }),
          () => this.conn.send({ t: 'top', players: [] }),
        );
        return;
      case 'leave':
        this.state = 'closed';
        host.remove(this.playerId);
        this.conn.bye('leave');
        return;
      default:
        host.deliver(this.playerId, msg);
    }
  }

  /** The pong, its bytes written by hand (pong-frame.ts): the same bytes conn.send would make. */
  private pong(id: number): void {
    if (this.conn.closed || this.conn.ending) return;
    messagesOut.inc();
    this.conn.sendFramed(pongFramed(id, this.host!.tickNo));
  }

  private async hello(msg: HelloMsg): Promise<void> {
    if (this.rt.shuttingDown) {
      this.conn.error('SHUTTING_DOWN', 'the server is shutting down');
      return;
    }
    this.state = 'joining';
    this.cancelHelloTimer();
    const auth = msg.auth ?? this.query.auth;
    const who = await this.authenticate(auth);
    if (this.conn.closed) return;
    if ('code' in who) {
      this.refused(who.code, who.message);
      return;
    }
    const token = msg.token ?? this.query.token;
    const room = msg.room ?? (token ? undefined : this.query.room);
    // An account plays under the name its token gives, if it gives one.
    const name = who.name ?? msg.name;
    // The game the connection was routed by (/ws?game=) when the hello names none.
    const game = msg.game ?? this.query.game;
    // A hello relayed to another worker carries the query's token, game and auth (verified there again).
    let hello = msg;
    if (token !== msg.token || name !== msg.name || auth !== msg.auth || game !== msg.game) {
      hello = { ...msg, name };
      if (token !== undefined) hello.token = token;
      if (auth !== undefined) hello.auth = auth;
      if (game !== undefined) hello.game = game;
    }
    const outcome = await this.rt.join(this, hello, room, room || token ? undefined : this.hintRoom, who.identity);
    if (this.conn.closed) return;
    if (outcome !== 'joined' && outcome !== 'relayed') {
      this.refused(outcome.code, outcome.message, outcome.to);
      return;
    }
    this.state = outcome;
    const q = this.queued;
    this.queued = null;
    if (q) for (const b of q) this.receive(b);
  }

  /** A hello that did not seat the player: the connection may send another. */
  private refused(code: ErrorCode, message: string, to?: string): void {
    this.state = 'new';
    this.conn.error(code, message, to);
    this.armHelloTimer(this.rt.config.helloTimeoutMs);
    this.queued = null;
  }

  /**
   * Who the player is. Nothing with --auth none; else the token's account and claims, a guest
   * when there is no token and guests are allowed, or the coded reason for refusing the hello.
   */
  private async authenticate(auth: string | undefined): Promise<{ identity?: Identity; name?: string } | { code: ErrorCode; message: string }> {
    const verifier = this.rt.auth;
    if (!verifier) return {};
    if (auth === undefined) {
      if (this.rt.config.allowGuests) return { identity: { guest: true } };
      return { code: 'AUTH_REQUIRED', message: 'this server needs a sign-in token in hello.auth' };
    }
    const v = await verifier.verify(auth);
    if (!v.ok) return { code: v.code, message: v.message };
    return { identity: { account: v.account, guest: false, claims: v.claims }, name: v.name };
  }

  /** Called by the runtime once the player is seated. */
  joined(host: RoomHost, playerId: string, name: string): void {
    this.host = host;
    this.gameMessages = this.rt.validatorFor(host.game);
    this.playerId = playerId;
    this.name = name;
  }

  private closed(): void {
    this.cancelHelloTimer();
    const wasJoined = this.state === 'joined';
    this.state = 'closed';
    this.rt.sessionClosed(this);
    if (wasJoined && this.host) this.host.detach(this.playerId, this.conn);
  }
}
