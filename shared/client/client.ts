// The Shoal client library: one implementation for the tests, client-sim and the browser client.
// It keeps a mirror of the room from `state` messages and, when a connection drops without a
// goodbye, resumes the player with its token (exponential backoff, capped). A hello answered with
// REDIRECT (many hosts share one world; the room runs elsewhere) is said again at once on the host
// it names, which the client then keeps for its resumes.
import { encode, decode } from '../protocol/codec.js';
import type {
  ByeMsg, ChatOutMsg, ChatScope, ErrorMsg, PongMsg, ServerMessage, StateMsg, TopOutMsg, WelcomeMsg,
} from '../protocol/messages.js';
import { parseAddress } from './address.js';
import { Emitter } from './emitter.js';
import type { Connector, Transport } from './transport.js';

export type ClientStatus = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'closed';

export interface ClientOptions {
  connector: Connector;
  name: string;
  room?: string;
  token?: string;
  /** A sign-in token (JWT) for a server that authenticates players; sent in every hello. */
  auth?: string;
  /** The game to play (a server runs several); absent: the server's default, `arena`. */
  game?: string;
  /**
   * Ask for `state` (or a game's `sync`) only in ticks that change something for this player
   * (`hello.changesOnly`): an idle room then sends nothing. Default false: one every tick, as in v1.
   */
  changesOnly?: boolean;
  /** Resume with the token after an unexpected drop. Default true. */
  autoResume?: boolean;
  /** Give up resuming after this long. Default 60 s. */
  resumeForMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** A connection that brings no welcome this long after hello is given up (and retried when resuming). Default 15 s. */
  joinTimeoutMs?: number;
  /** REDIRECTs followed in a row for one join before giving up (hosts that disagree would loop). Default 3. */
  maxRedirects?: number;
  /**
   * HOST:PORT of the host to say hello to first, instead of the connector's own: the host it played
   * on before (a page reload). Unreachable, the client asks the connector's own host instead.
   */
  address?: string;
}

export interface PlayerView { id: string; x: number; y: number; score: number }
export interface CoinView { id: number; x: number; y: number; value: number }

type Events = {
  welcome: (m: WelcomeMsg) => void;
  state: (m: StateMsg) => void;
  chat: (m: ChatOutMsg) => void;
  top: (m: TopOutMsg) => void;
  pong: (m: PongMsg) => void;
  error: (m: ErrorMsg) => void;
  bye: (m: ByeMsg) => void;
  message: (m: ServerMessage) => void;
  status: (s: ClientStatus, detail?: string) => void;
  /** A hello was answered REDIRECT: the client says it again at `to` (HOST:PORT), now `client.address`. */
  redirect: (to: string, m: ErrorMsg) => void;
};

const FINAL_BYES = new Set(['leave', 'kicked', 'shutdown', 'replaced', 'banned']);
/** Errors that answer a hello: the join failed (the connection stays open for another hello). */
const JOIN_REFUSALS = new Set<string>([
  'ROOM_FULL', 'ROOM_LIMIT', 'BAD_TOKEN', 'BAD_MESSAGE', 'UNAVAILABLE',
  'AUTH_REQUIRED', 'AUTH_INVALID', 'AUTH_EXPIRED', 'NAME_TAKEN', 'SEAT_REFUSED', 'UNKNOWN_GAME', 'WRONG_GAME',
]);

/** Closes a client's transport without telling the client (set in the class's static block). */
let cutTransport: (c: ShoalClient) => void;

export class ShoalClient extends Emitter<Events> {
  static {
    cutTransport = (c) => c.transport?.close();
  }

  status: ClientStatus = 'idle';
  id = '';
  token: string | undefined;
  room: string | undefined;
  auth: string | undefined;
  hz = 0;
  tick = 0;
  world = { w: 0, h: 0 };
  /** The room's game, from the welcome (`arena` from a server that does not say). */
  game = 'arena';
  readonly players = new Map<string, PlayerView>();
  readonly coins = new Map<number, CoinView>();
  /** The last full state received (the first one after each welcome). */
  lastFull: StateMsg | null = null;
  /** Why the last connection ended for good (bye reason or fatal error code). */
  endReason: string | undefined;
  reconnects = 0;
  /**
   * HOST:PORT of the host the client plays on, or is joining, since a REDIRECT sent it there (its
   * resumes start there too); undefined: the host its connector was made for.
   */
  address: string | undefined;
  /** REDIRECTs followed since the client was made. */
  redirects = 0;

  private transport: Transport | null = null;
  private seq = 0;
  private pingId = 0;
  private readonly pings = new Map<number, { sent: number; resolve: (rtt: number) => void }>();
  private readonly opts: Required<Omit<ClientOptions, 'room' | 'token' | 'auth' | 'game' | 'address' | 'changesOnly'>> & Pick<ClientOptions, 'game' | 'changesOnly'>;
  private closing = false;
  /** connect() calls so far: a late status change belongs to one of them. */
  private attempt = 0;
  private pendingJoin: { resolve: (m: WelcomeMsg) => void; reject: (e: Error) => void } | null = null;

  constructor(opts: ClientOptions) {
    super();
    this.opts = {
      autoResume: true, resumeForMs: 60_000, backoffMinMs: 100, backoffMaxMs: 5_000, joinTimeoutMs: 15_000, maxRedirects: 3, ...opts,
    };
    this.room = opts.room;
    this.token = opts.token;
    this.auth = opts.auth;
    this.address = opts.address;
  }

  /** Connects and says hello; resolves with the welcome, rejects with the server's error. */
  async connect(): Promise<WelcomeMsg> {
    this.closing = false;
    this.attempt++;
    this.setStatus('connecting');
    return this.open();
  }

  /** One join: hello, then hello again wherever REDIRECTs send it (at most maxRedirects in a row). */
  private async open(): Promise<WelcomeMsg> {
    let followed = 0;
    let first = true;
    for (;;) {
      const remembered = first && this.address !== undefined;
      first = false;
      try {
        return await this.openOnce();
      } catch (err) {
        // The host it remembered (where it last played) is gone; its rooms move to live hosts, so
        // the connector's own host is asked, which knows where the room runs now.
        if ((err as { unreachable?: boolean }).unreachable && remembered && !this.closing) {
          this.address = undefined;
          continue;
        }
        const e = err as { code?: string; to?: unknown };
        if (e.code !== 'REDIRECT' || !('to' in e)) throw err;
        const to = typeof e.to === 'string' && parseAddress(e.to) ? e.to : null;
        if (to === null || followed >= this.opts.maxRedirects) throw this.redirectGivenUp(to === null ? e.to : to, to === null ? null : followed);
        // No back-off: the server answered at once and named where to go.
        followed++;
        this.address = to;
        this.redirects++;
        this.emit('redirect', to, (err as { msg: ErrorMsg }).msg);
        if (this.closing) throw new Error('closed while following a REDIRECT');
      }
    }
  }

  /** A REDIRECT that is not followed: a clear error event and rejection; `hops` null when `to` was unusable. */
  private redirectGivenUp(to: unknown, hops: number | null): Error {
    const message = hops === null
      ? `the server answered REDIRECT without a usable HOST:PORT (to: ${JSON.stringify(to)})`
      : `gave up after following ${hops} REDIRECTs in a row (the last host, ${this.address ?? 'the first one'}, sent it on to ${String(to)}): the hosts do not agree on where this room runs`;
    this.endReason = 'REDIRECT';
    const m: ErrorMsg = { t: 'error', code: 'REDIRECT', message, fatal: true };
    if (hops !== null) m.to = String(to);
    this.emit('error', m);
    // As after a fatal error's close: the caller of connect() hears the rejection first.
    const attempt = this.attempt;
    setTimeout(() => {
      if (this.status === 'connecting' && this.attempt === attempt) this.setStatus('closed', 'REDIRECT');
    }, 0);
    return Object.assign(new Error(`REDIRECT: ${message}`), { code: 'REDIRECT' });
  }

  private async openOnce(): Promise<WelcomeMsg> {
    let t: Transport;
    try {
      t = await this.opts.connector({ room: this.room, token: this.token, game: this.opts.game, address: this.address });
    } catch (err) {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { unreachable: true });
    }
    this.transport = t;
    t.onMessage = (bytes) => this.receive(bytes);
    t.onClose = (reason) => this.dropped(t, reason);
    return new Promise<WelcomeMsg>((resolve, reject) => {
      // A server that accepted the connection but never answers (its worker died mid hand-off)
      // must not leave the client waiting forever.
      const timer = setTimeout(() => {
        if (this.pendingJoin?.resolve !== done) return;
        this.pendingJoin = null;
        reject(new Error(`no welcome within ${this.opts.joinTimeoutMs} ms`));
        if (this.transport === t) {
          this.transport = null;
          t.close();
        }
        if (this.status === 'connecting') this.setStatus('closed', 'join timeout');
      }, this.opts.joinTimeoutMs);
      const done = (m: WelcomeMsg) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.pendingJoin = {
        resolve: done,
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.joinTries = 0;
      this.sendHello(t);
    });
  }

  private joinTries = 0;

  private sendHello(t: Transport): void {
    const hello: Record<string, unknown> = { t: 'hello', v: 1, name: this.opts.name };
    if (this.room) hello.room = this.room;
    if (this.token) hello.token = this.token;
    if (this.auth) hello.auth = this.auth;
    if (this.opts.game) hello.game = this.opts.game;
    if (this.opts.changesOnly) hello.changesOnly = true;
    t.send(encode(hello));
  }

  send(msg: Record<string, unknown>): void {
    this.transport?.send(encode(msg));
  }

  input(dx: number, dy: number): number {
    const seq = ++this.seq;
    this.send({ t: 'input', seq, dx, dy });
    return seq;
  }

  chat(text: string, scope: ChatScope = 'room'): void {
    this.send({ t: 'chat', text, scope });
  }

  /** Round-trip time in milliseconds. */
  ping(timeoutMs = 5000): Promise<number> {
    const id = ++this.pingId;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pings.delete(id);
        reject(new Error(`ping ${id} timed out`));
      }, timeoutMs);
      this.pings.set(id, {
        sent: now(),
        resolve: (rtt) => {
          clearTimeout(timer);
          resolve(rtt);
        },
      });
      this.send({ t: 'ping', id });
    });
  }

  top(timeoutMs = 5000): Promise<TopOutMsg> {
    const p = this.next('top', undefined, timeoutMs);
    this.send({ t: 'top' });
    return p;
  }

  /** Leaves the room; resolves with the server's goodbye. */
  leave(timeoutMs = 5000): Promise<ByeMsg> {
    this.closing = true;
    const p = this.next('bye', undefined, timeoutMs);
    this.send({ t: 'leave' });
    return p;
  }

  /** Closes the connection without a goodbye and without resuming. */
  close(): void {
    this.closing = true;
    this.transport?.close();
    this.transport = null;
    this.setStatus('closed');
  }

  /** The next message of a type (optionally matching a predicate). */
  next<K extends ServerMessage['t']>(
    type: K,
    pred?: (m: Extract<ServerMessage, { t: K }>) => boolean,
    timeoutMs = 5000,
  ): Promise<Extract<ServerMessage, { t: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} message within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on('message', (m) => {
        if (m.t !== type) return;
        const mm = m as Extract<ServerMessage, { t: K }>;
        if (pred && !pred(mm)) return;
        clearTimeout(timer);
        off();
        resolve(mm);
      });
    });
  }

  private receive(bytes: Uint8Array): void {
    let m: ServerMessage;
    try {
      m = decode(bytes) as ServerMessage;
    } catch {
      return;
    }
    switch (m.t) {
      case 'welcome':
        this.lastFull = null;
        this.id = m.id;
        this.token = m.token;
        this.room = m.room;
        this.hz = m.hz;
        this.tick = m.tick;
        this.world = m.world ?? { w: 0, h: 0 };
        this.game = m.game ?? 'arena';
        this.setStatus('joined');
        this.pendingJoin?.resolve(m);
        this.pendingJoin = null;
        this.emit('welcome', m);
        break;
      case 'state':
        this.applyState(m);
        this.emit('state', m);
        break;
      case 'pong': {
        const p = this.pings.get(m.id);
        if (p) {
          this.pings.delete(m.id);
          p.resolve(now() - p.sent);
        }
        this.emit('pong', m);
        break;
      }
      case 'chat':
        this.emit('chat', m);
        break;
      case 'top':
        this.emit('top', m);
        break;
      case 'error':
        // The room runs on another host: the server closes this connection; open() goes there.
        if (this.pendingJoin && m.code === 'REDIRECT') {
          const pending = this.pendingJoin;
          this.pendingJoin = null;
          const t = this.transport;
          this.transport = null;
          t?.close();
          pending.reject(Object.assign(new Error(`REDIRECT: ${m.message}`), { code: 'REDIRECT', to: m.to, msg: m }));
          this.emit('message', m);
          return;
        }
        // The world state is briefly unreachable: say hello again, with back-off.
        if (this.pendingJoin && m.code === 'UNAVAILABLE' && this.joinTries < 8) {
          const t = this.transport;
          const delay = this.opts.backoffMinMs * 2 ** this.joinTries++;
          setTimeout(() => {
            if (t && t === this.transport && this.pendingJoin) this.sendHello(t);
          }, delay);
          this.emit('error', m);
          this.emit('message', m);
          return;
        }
        if (this.pendingJoin && (m.fatal || JOIN_REFUSALS.has(m.code))) {
          this.pendingJoin.reject(Object.assign(new Error(`${m.code}: ${m.message}`), { code: m.code }));
          this.pendingJoin = null;
        }
        if (m.fatal) this.endReason = m.code;
        this.emit('error', m);
        break;
      case 'bye':
        this.endReason = m.reason;
        if (FINAL_BYES.has(m.reason)) this.closing = true;
        this.emit('bye', m);
        break;
    }
    this.emit('message', m);
  }

  private applyState(m: StateMsg): void {
    this.tick = m.tick;
    if (m.full) {
      this.lastFull = m;
      this.players.clear();
      this.coins.clear();
    }
    for (const [id, x, y, score] of m.players) this.players.set(id, { id, x, y, score });
    for (const id of m.gone) this.players.delete(id);
    for (const c of m.coins) this.coins.set(c[0], { id: c[0], x: c[1], y: c[2], value: c[3] ?? 1 });
    for (const id of m.taken) this.coins.delete(id);
  }

  /** The full state that follows the welcome, whether it has already arrived or not. */
  fullState(timeoutMs = 5000): Promise<StateMsg> {
    return this.lastFull ? Promise.resolve(this.lastFull) : this.next('state', (s) => s.full, timeoutMs);
  }

  get me(): PlayerView | undefined {
    return this.players.get(this.id);
  }

  private dropped(t: Transport, reason: string): void {
    if (t !== this.transport) return;
    this.transport = null;
    const wasJoined = this.status === 'joined';
    if (this.pendingJoin) {
      this.pendingJoin.reject(new Error(`connection closed before welcome (${this.endReason ?? reason})`));
      this.pendingJoin = null;
    }
    // While reconnecting, the resume loop owns what happens next.
    if (this.status === 'reconnecting') return;
    if (!wasJoined || this.closing || !this.opts.autoResume || !this.token) {
      this.setStatus('closed', this.endReason ?? reason);
      return;
    }
    void this.resume();
  }

  private async resume(): Promise<void> {
    this.setStatus('reconnecting');
    const deadline = now() + this.opts.resumeForMs;
    let delay = this.endReason === 'restart' ? 0 : this.opts.backoffMinMs;
    while (!this.closing && now() < deadline) {
      if (delay > 0) await sleep(delay * (0.5 + Math.random() / 2));
      delay = Math.min(Math.max(delay * 2, this.opts.backoffMinMs), this.opts.backoffMaxMs);
      try {
        this.endReason = undefined;
        await this.open();
        this.reconnects++;
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'BAD_TOKEN') break;
        if (this.transport) {
          this.transport.close();
          this.transport = null;
        }
      }
    }
    this.setStatus('closed', 'resume failed');
  }

  private setStatus(s: ClientStatus, detail?: string): void {
    this.status = s;
    this.emit('status', s, detail);
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Faults for tests and the client simulator, not part of a game's client API: kept off the class
 * so a game never sees them.
 */
export const clientFaults = {
  /** Drops the connection as a network fault would; the client resumes if autoResume is on. */
  drop(client: ShoalClient): void {
    cutTransport(client);
  },
};
