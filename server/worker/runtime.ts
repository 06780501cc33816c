// Everything one worker process runs: its rooms, its client sessions, the tick loop and its link
// to the coordinator.
import type { Logger } from 'pino';
import { encodeFramed } from '../../shared/protocol/framing.js';
import type { HelloMsg, ChatOutMsg, TopOutMsg } from '../../shared/protocol/messages.js';
import type { AuthVerifier } from '../auth/verifier.js';
import type { Config } from '../config/schema.js';
import { parseStore } from '../config/store-url.js';
import type { HostedGame, Identity } from '../game-api/index.js';
import { countRoomsBy, messagesOut, tickGap, tickOverruns, type GameCount } from '../metrics/registry.js';
import type { RoomRecord, SessionRecord } from '../coordinator/store/types.js';
import type { ClientSession, JoinOutcome, SessionRuntime } from './session/client-session.js';
import { CoordinatorLink } from '../ipc/coordinator-link.js';
import type { CoordinatorChannel, CoordinatorPush, CoordinatorPushes, JoinResult } from '../ipc/coordinator-ops.js';
import { RoomHost } from './rooms/room-host.js';
import { envelopeOf, readSnapshot } from './rooms/room-snapshot.js';
import { WorkerTaskPool } from './rooms/task-pool.js';
import { Outbound } from './rooms/outbound.js';
import { TickScores } from './rooms/tick-scores.js';
import { ScoreJournal, journalPath } from '../scores/score-journal.js';
import { WorldClient } from './world/world-client.js';
import { GameValidators } from './session/game-validators.js';
import type { GameMessageChecker } from '../../shared/protocol/validate.js';

/** A journal this large is emptied as soon as everything in it is acknowledged. */
const JOURNAL_TRIM_BYTES = 256 * 1024;

export class WorkerRuntime implements SessionRuntime {
  readonly rooms = new Map<string, RoomHost>();
  readonly sessions = new Set<ClientSession>();
  readonly link: CoordinatorLink;
  readonly world: WorldClient;
  shuttingDown = false;
  /** Set (by main.ts) when the server authenticates players (--auth jwt). */
  auth: AuthVerifier | null = null;
  /** Scores shown but not yet acknowledged by the coordinator: resent after a reconnect. */
  private unsaved = new Map<string, number>();
  /** Every score change, before it is shown; emptied when all is acknowledged and it has grown. */
  private readonly journal: ScoreJournal;
  /** The coordinator has applied this slot's journal (our first hello): ours to empty from then on. */
  private journalTaken = false;
  /** The tick loop of each rate, by hz. */
  private readonly tickTimers = new Map<number, NodeJS.Timeout>();
  /** Threads for games' CPU-heavy tasks, shared by every room of this worker. */
  readonly pool: WorkerTaskPool;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private firstHello = true;
  private markReady!: () => void;
  private readonly helloAnswered = new Promise<void>((r) => (this.markReady = r));
  /** Resolves once the coordinator has answered our first hello (rooms restored). */
  readonly ready: Promise<void>;
  /** Coordinator pushes for topics the runtime does not handle itself (see onCoordinatorPush). */
  private readonly pushHooks = new Map<string, (payload: never) => void>();
  /** The declared client messages of the games hosted here, compiled once (now). */
  private readonly validators: GameValidators;
  /** --store redis: a state showing a new score waits for Redis to have it (rooms/score-hold.ts). */
  private readonly holdStates: boolean;
  /** Relays a hello to the worker in `slot`; set by main.ts. */
  relay: (session: ClientSession, slot: number, hello: HelloMsg, hint?: string) => boolean = () => false;

  constructor(
    readonly config: Config,
    readonly slot: number,
    /** Every game this worker hosts rooms of, by name. */
    readonly games: ReadonlyMap<string, HostedGame>,
    /** The game of a hello that names none. */
    private readonly defaultGame: string,
    readonly log: Logger,
    coordSocket: string,
  ) {
    this.validators = new GameValidators(games.values(), config.gameStringMax);
    this.holdStates = parseStore(config.store).kind === 'redis';
    this.link = new CoordinatorLink(coordSocket, (...push) => this.onPush(...push), log);
    this.link.onConnect = (ch) => this.hello(ch);
    this.world = new WorldClient(this.link, log);
    this.journal = new ScoreJournal(journalPath(config.data, slot), log);
    this.pool = new WorkerTaskPool(config);
    // /metrics reads this worker's rooms and players by game at each scrape.
    countRoomsBy(() => this.countByGame());
    // Test and bench commands (worldDebug setting only): the module is loaded only when it is on.
    const debugLoaded = config.worldDebug
      ? import('./world/world-debug.js').then((m) =>
          m.installWorldDebug(this.world, slot, {
            holding: () => [...this.rooms.values()].map((h) => ({ id: h.id, ...h.world.holding() })),
            world: (id) => this.rooms.get(id)?.world,
          }, (h) => this.onCoordinatorPush('world.debug', h)))
      : undefined;
    this.ready = Promise.all([this.helloAnswered, debugLoaded]).then(() => {});
  }

  /** Registers the handler for a coordinator push topic the runtime does not handle itself. */
  onCoordinatorPush<K extends keyof CoordinatorPushes>(topic: K, h: (payload: CoordinatorPushes[K]) => void): void {
    this.pushHooks.set(topic, h);
  }

  start(): void {
    this.link.start();
    // One tick loop per rate the hosted games use; a turn-based game (hz 0) has none.
    for (const hz of new Set([...this.games.values()].map((g) => g.hz))) if (hz > 0) this.startTicker(hz);
    this.snapshotTimer = setInterval(() => {
      void this.sendSnapshots();
      this.resendUnsaved();
    }, this.config.snapshotMs);
  }

  validatorFor(game: string): GameMessageChecker | undefined {
    return this.validators.validatorFor(game);
  }

  // --- coordinator ---------------------------------------------------------------------------

  private async hello(ch: CoordinatorChannel): Promise<void> {
    // Whether each is open goes too: a room.open sent while the coordinator was away is not lost.
    const rooms = [...this.rooms.values()].map((h) => ({ id: h.id, players: [...h.members.keys()], open: h.open }));
    // Scores the coordinator may not have seen (it restarted): they are absolute, so resending is
    // safe. The coordinator applies them, and this slot's journal, before it answers with rooms.
    const scores = [...this.unsaved];
    // The sizes of the games that choose their own, so the coordinator's matchmaking knows them before any join.
    const games = [...this.games.values()].filter((g) => !g.sizedByServer).map((g) => ({ name: g.name, seats: g.seats, capacity: g.capacity }));
    const reply = await ch.request('worker.hello', { slot: this.slot, pid: process.pid, rooms, scores, games });
    // saved: false while the coordinator's store cannot write: keep the journal and resend.
    if (reply.saved !== false) {
      this.journalTaken = true;
      this.acknowledged(scores, true);
    }
    for (const r of reply.rooms) {
      if (this.rooms.has(r.id)) continue;
      const h = this.restoreRoom(r, r.sessions);
      // Its game set it otherwise when rebuilt: the link is not up yet, so this channel says so.
      if (h && h.open === (r.closed === true)) ch.request('room.open', { id: h.id, open: h.open }).catch(() => {});
    }
    if (this.firstHello && reply.rooms.length) {
      this.log.info({ rooms: reply.rooms.length, players: reply.rooms.reduce((n, r) => n + r.sessions.length, 0) }, 'rooms restored from the coordinator');
    }
    this.firstHello = false;
    this.world.resubscribe(ch);
    this.markReady();
  }

  private onPush(...push: CoordinatorPush): void {
    if (push[0] === 'chat') this.broadcastAll(push[1]);
    else if (push[0] === 'rooms.drop') this.dropRooms(push[1].ids);
    else if (!this.world.onPush(...push)) (this.pushHooks.get(push[0]) as ((p: unknown) => void) | undefined)?.(push[1]);
  }

  /**
   * --store redis, fencing: these rooms are no longer this host's to run (another host took them
   * over, or this one is cut off from Redis and soon may be). Each stops now: out of the room map
   * first, so no snapshot of it is sent again; its players get `bye` `restart` (the client
   * resumes, and the host that runs the room now is found for it); no leave and no room.gone, which
   * would end the sessions the new owner keeps. Scores not acknowledged yet stay queued: the
   * coordinator writes only those of rooms it still holds, and Redis only the owner's.
   */
  private dropRooms(ids: readonly string[]): void {
    let players = 0;
    let dropped = 0;
    for (const id of ids) {
      const h = this.rooms.get(id);
      if (!h) continue;
      this.rooms.delete(id);
      dropped++;
      players += h.size;
      h.closeAll('restart');
      h.end();
    }
    if (dropped) this.log.warn({ rooms: dropped, players }, 'rooms dropped: this host no longer owns them');
  }

  /**
   * Brings back a room this worker does not have (adopted after a worker died, or its own after a
   * restart or deploy) from its last snapshot, migrated to this build's version of its game. A
   * snapshot this build cannot read (a game it does not run, a refused migration) is logged and
   * the room starts fresh, so its players can still come back to it.
   */
  restoreRoom(r: RoomRecord, sessions: SessionRecord[]): RoomHost | undefined {
    const env = r.snapshot === undefined ? undefined : envelopeOf(r.snapshot);
    const game = this.games.get(r.game ?? env?.game ?? this.defaultGame);
    if (!game) {
      this.log.error({ room: r.id, game: r.game ?? env?.game }, 'room of a game this worker does not run; not restored');
      return undefined;
    }
    let snapshot: { state: unknown; tick: number } | undefined;
    if (env) {
      const read = readSnapshot(game, env);
      if (read.ok) snapshot = read;
      else this.log.error({ room: r.id, game: game.name, reason: read.reason }, 'room snapshot not readable; the room starts fresh');
      if (read.ok && read.migratedFrom !== undefined) this.log.info({ room: r.id, game: game.name, from: read.migratedFrom, to: game.version }, 'room snapshot migrated');
    }
    const host = this.createHost(r.id, game, snapshot, r.closed !== true);
    // A score this worker showed and the coordinator has not acknowledged (a room dropped while
    // this host was cut off from Redis, say) is the player's: the room comes back with it.
    for (const s of sessions) host.restore({ id: s.id, name: s.name, score: Math.max(s.score, this.unsaved.get(s.id) ?? 0), identity: this.identityOf(s) });
    return host;
  }

  /** A stored session's identity (without claims: those are only known at the hello that proved them). */
  private identityOf(s: SessionRecord): Identity | undefined {
    if (this.config.auth !== 'jwt') return undefined;
    return s.account !== undefined ? { account: s.account, guest: false } : { guest: true };
  }

  /** `open`: as the room's record says (RoomContext.setOpen), until its game says otherwise. */
  private createHost(id: string, game: HostedGame, snapshot: { state: unknown; tick: number } | undefined, open: boolean): RoomHost {
    const host = new RoomHost(id, this.config, game, {
      flushScores: (scores) => this.saveScores(scores),
      playerGone: (h, pid) => this.playerGone(h, pid),
      saveSnapshot: (h) => this.saveSnapshot(h),
      openChanged: (h) => this.openChanged(h),
      gameFailed: (h, hook, err, suppressed) => this.log.error({ err, room: h.id, game: h.game, hook, suppressed }, 'game hook failed; the room plays on'),
    }, this.world.forRoom(id), this.pool, snapshot, open);
    this.rooms.set(id, host);
    return host;
  }

  /** Score changes of the rooms ticked in the current pass of a tick loop, written once at its end. */
  private readonly tickScores = new TickScores();
  /** A tick loop's pass over its rooms is under way: scores go to tickScores. */
  private inTickPass = false;

  private saveScores(scores: Array<[string, number]>): PromiseLike<unknown> | undefined {
    // In a tick pass: written with every other room's at the pass's end; the room holds its sends till then.
    if (this.inTickPass) return this.tickScores.add(scores);
    return this.writeScores(scores);
  }

  private writeScores(scores: Array<[string, number]>): PromiseLike<unknown> | undefined {
    for (const [id, s] of scores) this.unsaved.set(id, s);
    // Written to the journal file (write(2): it survives this process) and to the coordinator's
    // socket before the state that shows these scores is written to any player. The socket alone
    // is not enough: a coordinator that is down, or hung and then killed, loses what it has not
    // read, and this process may be gone by then.
    this.journal.append(scores);
    // With Redis the whole host may die, journal and all: the room holds the state that shows
    // these scores until the coordinator answers that Redis has them (or that it cannot now,
    // within --redis-timeout-ms: then they wait here, journalled, and play goes on).
    const sent = this.link.requestNow('scores', { u: scores }, this.holdStates ? this.config.redisTimeoutMs : undefined);
    sent?.then(
      () => this.acknowledged(scores, false),
      (err: unknown) => this.scoresRefused(err instanceof Error ? err.message : String(err)),
    );
    return this.holdStates ? (sent ?? undefined) : undefined;
  }

  /** `always`: empty the journal if all is acknowledged, however small (after a hello). */
  private acknowledged(scores: Array<[string, number]>, always: boolean): void {
    for (const [id, s] of scores) if (this.unsaved.get(id) === s) this.unsaved.delete(id);
    // Journalled scores are now acknowledged (or superseded by acknowledged ones) but for those
    // still unsaved: cut down to them, at a hello or once it has grown, so steady play costs one
    // append per score batch and a rare compaction.
    if (!this.journalTaken || !(always || this.journal.size >= JOURNAL_TRIM_BYTES)) return;
    if (this.unsaved.size === 0) this.journal.clear();
    else this.journal.replaceWith([...this.unsaved]);
  }

  private playerGone(host: RoomHost, id: string): void {
    this.link.request('leave', { id }).catch(() => {});
    if (host.size === 0) {
      this.rooms.delete(host.id);
      host.end();
      this.link.request('room.gone', { id: host.id }).catch(() => {});
    }
  }

  /** What a join tells the coordinator of its game's room sizes: none for a game sized by roomCapacity (the coordinator's). */
  private sizesOf(g: HostedGame): { seats?: number; capacity?: number } {
    return g.sizedByServer ? {} : { seats: g.seats, capacity: g.capacity };
  }

  async join(session: ClientSession, hello: HelloMsg, room: string | undefined, hint?: string, identity?: Identity): Promise<JoinOutcome> {
    const asked = this.games.get(hello.game ?? this.defaultGame);
    if (!asked) return { code: 'UNKNOWN_GAME', message: `this server runs no game named ${JSON.stringify(hello.game)} (it runs ${[...this.games.keys()].join(', ')})` };
    let reply: JoinResult;
    try {
      reply = await this.link.request('join', {
        slot: this.slot, name: hello.name, room, token: hello.token, hint, address: session.conn.address,
        account: identity?.account, guest: identity?.guest, game: asked.name, ...this.sizesOf(asked),
      });
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === 'BAD_TOKEN' || e.code === 'ROOM_FULL' || e.code === 'ROOM_LIMIT' || e.code === 'NAME_TAKEN' || e.code === 'WRONG_GAME') return { code: e.code, message: e.message };
      return { code: 'UNAVAILABLE', message: 'world state is unavailable; try again' };
    }
    if (session.conn.closed) {
      if ('session' in reply && !reply.resumed) this.link.request('leave', { id: reply.session.id }).catch(() => {});
      return { code: 'UNAVAILABLE', message: 'closed' };
    }
    if ('elsewhere' in reply) {
      // Another host of the world runs the room: the client says hello there (REDIRECT closes this connection).
      return { code: 'REDIRECT', message: `${room !== undefined ? `room ${room}` : 'this session'} runs on host ${reply.elsewhere}; send the same hello there`, to: reply.elsewhere };
    }
    if ('redirect' in reply) {
      if (session.conn.transport !== 'relay' && this.relay(session, reply.redirect, hello, hint)) return 'relayed';
      return { code: 'UNAVAILABLE', message: 'that room is moving between workers; try again' };
    }
    const { session: s, token, room: r, resumed } = reply;
    let host = this.rooms.get(r.id);
    if (!host) {
      // The room is new here, or adopted from a worker that is gone: bring back its other players.
      const others = r.snapshot
        ? await this.link.request('room.sessions', { id: r.id }).catch(() => [] as SessionRecord[])
        : [];
      host = this.rooms.get(r.id) ?? this.restoreRoom(r.snapshot || r.game ? r : { ...r, game: asked.name }, others.filter((o) => o.id !== s.id));
      if (!host) {
        if (!resumed) this.link.request('leave', { id: s.id }).catch(() => {});
        return { code: 'UNAVAILABLE', message: `room ${r.id} is of a game this worker does not run` };
      }
    }
    const seat = { id: s.id, name: s.name, score: s.score, identity: identity && { ...identity, account: s.account } };
    const refusal = resumed || host.members.has(s.id) ? undefined : host.admit(seat);
    if (refusal) {
      // The game keeps this player out: its session (and a room made just for it) go again.
      this.link.request('leave', { id: s.id }).catch(() => {});
      if (host.size === 0) {
        this.rooms.delete(host.id);
        host.end();
      }
      return { code: 'SEAT_REFUSED', message: `${refusal.reason}: ${refusal.message}` };
    }
    session.joined(host, s.id, s.name);
    host.attach(seat, token, session.conn, resumed, hello.changesOnly === true);
    return 'joined';
  }

  /** A line for every room of the server (the wire's chat scope 'world'). */
  globalChat(from: string, name: string, text: string): void {
    this.link.request('chat.world', { from, name, text }).catch(() => {});
  }

  private topCache: { at: number; players: TopOutMsg['players'] } | null = null;

  async top(): Promise<TopOutMsg['players']> {
    const now = Date.now();
    if (this.topCache && now - this.topCache.at < 100) return this.topCache.players;
    const players = await this.link.request('top', { n: 10 });
    this.topCache = { at: now, players };
    return players;
  }

  private broadcastAll(msg: ChatOutMsg): void {
    // Encoded once, and its WebSocket frame built once, for every player of this worker.
    const out = new Outbound(encodeFramed(msg));
    let n = 0;
    for (const h of this.rooms.values()) {
      for (const m of h.members.values()) {
        if (m.conn) {
          m.conn.sendOut(out);
          n++;
        }
      }
    }
    messagesOut.inc(n);
  }

  sessionClosed(s: ClientSession): void {
    this.sessions.delete(s);
  }

  /** Rooms and seated players by game, every hosted game listed (0 when it has no room here). */
  countByGame(): GameCount[] {
    const by = new Map<string, GameCount>([...this.games.keys()].map((game) => [game, { game, rooms: 0, players: 0 }]));
    for (const h of this.rooms.values()) {
      let c = by.get(h.game);
      if (!c) by.set(h.game, (c = { game: h.game, rooms: 0, players: 0 }));
      c.rooms++;
      c.players += h.size;
    }
    return [...by.values()];
  }

  playerCount(): number {
    let n = 0;
    for (const h of this.rooms.values()) n += h.size;
    return n;
  }

  // --- ticks and snapshots --------------------------------------------------------------------

  private startTicker(hz: number): void {
    const period = 1000 / hz;
    let next = performance.now() + period;
    const gap = tickGap.labels(String(hz));
    let started = performance.now();
    const loop = () => {
      const now0 = performance.now();
      gap.observe((now0 - started) / 1000);
      started = now0;
      this.inTickPass = true;
      for (const h of this.rooms.values()) {
        if (h.hz !== hz) continue;
        try {
          h.tick();
        } catch (err) {
          this.log.error({ err, room: h.id }, 'room tick failed');
        }
      }
      this.inTickPass = false;
      this.tickScores.flush((scores) => this.writeScores(scores));
      next += period;
      const now = performance.now();
      // After a stall, skip missed ticks instead of bursting them.
      if (next < now) {
        tickOverruns.inc();
        next = now + period;
      }
      this.tickTimers.set(hz, setTimeout(loop, next - now));
    };
    this.tickTimers.set(hz, setTimeout(loop, period));
  }

  private resending = false;
  private refusedLoggedAt = 0;

  /** A coordinator that cannot write (a full disk) refuses every flush: say so every 10 s, not every tick. */
  private scoresRefused(err: string): void {
    const now = Date.now();
    if (now - this.refusedLoggedAt < 10_000) return;
    this.refusedLoggedAt = now;
    this.log.warn({ err, unsaved: this.unsaved.size }, 'scores not acknowledged yet; kept for resend');
  }

  /**
   * Scores the coordinator did not acknowledge (its store could not write, e.g. a full disk) are
   * sent again until it does, so a player who scored once and stopped is saved when it can write.
   */
  private resendUnsaved(): void {
    if (this.resending || this.unsaved.size === 0 || !this.link.connected) return;
    const scores = [...this.unsaved];
    this.resending = true;
    this.link.request('scores', { u: scores }).then(
      () => this.acknowledged(scores, false),
      () => {},
    ).finally(() => (this.resending = false));
  }

  sendSnapshots(): Promise<unknown> {
    if (this.rooms.size === 0 || !this.link.connected) return Promise.resolve();
    const rooms: Array<[string, unknown]> = [];
    for (const h of this.rooms.values()) rooms.push([h.id, h.snapshotRecord()]);
    return this.link.request('snapshots', { rooms }).catch(() => {});
  }

  /** One room's snapshot to the coordinator now (a turn-based game after a move). */
  private saveSnapshot(h: RoomHost): void {
    if (!this.link.connected || this.rooms.get(h.id) !== h) return;
    this.link.request('snapshots', { rooms: [[h.id, h.snapshotRecord()]] }).catch(() => {});
  }

  /**
   * A room opened or closed to quick-join: written to the coordinator now, before the state
   * that shows why reaches any player (a player who sees the room full and sends another to
   * quick-join must not find it placed there). Without a channel the next hello reports it.
   */
  private openChanged(h: RoomHost): void {
    this.link.requestNow('room.open', { id: h.id, open: h.open })?.catch(() => {});
  }

  /** Graceful stop: bye to every player (seats kept for a resume), last snapshot and scores out. */
  async shutdown(reason: string): Promise<void> {
    this.shuttingDown = true;
    for (const t of this.tickTimers.values()) clearTimeout(t);
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    for (const h of this.rooms.values()) h.closeAll(reason);
    for (const s of this.sessions) if (!s.conn.closed) s.conn.bye(reason);
    // Snapshots before the rooms end: a game's end hook may let go of what its snapshot shows.
    await this.sendSnapshots();
    for (const h of this.rooms.values()) h.end();
    void this.pool.close();
    if (this.unsaved.size) {
      const scores = [...this.unsaved];
      // Unacknowledged scores are in the journal already; the next worker in this slot or the
      // coordinator picks them up from there if this does not get through.
      await this.link.request('scores', { u: scores }).then(() => this.acknowledged(scores, true), () => {});
    }
    this.journal.close();
  }
}
