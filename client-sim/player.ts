// One simulated player. It plays the arena the way a person would: steers toward the nearest coin,
// pings once a second, chats now and then, asks for the leaderboard, and — if its plan says so —
// leaves and rejoins, or drops its connection and resumes with its token.
// The child process drives every player from one timer (step()), so there is no timer per player.
import { ShoalClient, clientFaults } from '../shared/client/client.js';
import type { Connector } from '../shared/client/transport.js';
import type { StateMsg, WelcomeMsg, ErrorMsg } from '../shared/protocol/messages.js';
import { ERROR_CODES } from '../shared/protocol/messages.js';
import type { SimStats } from './stats.js';

export interface PlayerPlan {
  /** When (ms, on the child's clock) to leave and rejoin; -1: never. */
  leaveAt: number;
  /** When to drop the connection and resume; -1: never. */
  dropAt: number;
}

export interface PlayerSettings {
  inputHz: number;
  pingHz: number;
  chatEvery: number;
}

export interface PlayerWorld {
  stats: SimStats;
  settings: PlayerSettings;
  /** True while the run is in its measurement window. */
  measuring(): boolean;
}

const CHAT_LINES = ['gg', 'nice one', 'over here!', 'that coin was mine', 'lag?', 'brb', 'hello room'];

export class SimPlayer {
  client: ShoalClient;
  /** Joined and playing (not leaving, not between connections). */
  joined = false;
  private stopped = false;
  private nextInputAt = 0;
  private nextPingAt = 0;
  private nextChatAt = 0;
  private nextTopAt = 0;
  /** Bumped whenever a connection ends, so late answers to an old connection are not errors. */
  private generation = 0;
  // State delivery, counted per session (one connection from welcome to its end).
  private lastStateAt = -1;
  private lastTick = -1;
  private sessionStart = -1;
  private sessionStates = 0;
  private hz = 20;
  private dropStartedAt = -1;

  constructor(
    readonly name: string,
    readonly room: string | undefined,
    private readonly connector: Connector,
    private readonly world: PlayerWorld,
    private readonly plan: PlayerPlan,
  ) {
    this.client = this.newClient();
  }

  private newClient(): ShoalClient {
    const c = new ShoalClient({ connector: this.connector, name: this.name, room: this.room });
    c.on('welcome', (m) => this.onWelcome(m));
    c.on('state', (m) => this.onState(m));
    c.on('chat', () => this.world.stats.count('chatsReceived'));
    c.on('error', (m) => this.onError(m));
    c.on('status', (s, detail) => this.onStatus(s, detail));
    return c;
  }

  /** Connects and joins; resolves whether or not it worked (failures are counted). */
  async start(): Promise<void> {
    const t0 = performance.now();
    try {
      await this.client.connect();
      this.world.stats.record('connect', performance.now() - t0);
      this.world.stats.count('connectsOk');
    } catch (err) {
      this.world.stats.count('connectsFailed');
      const code = (err as { code?: string }).code;
      // Server error codes were already counted from the 'error' event.
      if (!(code && code in ERROR_CODES)) this.world.stats.error(code ?? classify(err as Error));
    }
  }

  /** Called by the child's timer; does whatever is due. */
  step(now: number): void {
    if (this.stopped) return;
    if (this.plan.leaveAt >= 0 && now >= this.plan.leaveAt && this.joined) {
      this.plan.leaveAt = -1;
      void this.leaveAndRejoin();
      return;
    }
    if (this.plan.dropAt >= 0 && now >= this.plan.dropAt && this.joined) {
      this.plan.dropAt = -1;
      this.dropAndResume(now);
      return;
    }
    if (!this.joined) return;
    const s = this.world.settings;
    if (now >= this.nextInputAt) {
      this.nextInputAt = now + 1000 / s.inputHz;
      this.steer();
    }
    if (s.pingHz > 0 && now >= this.nextPingAt) {
      this.nextPingAt = now + 1000 / s.pingHz;
      this.ping();
    }
    if (s.chatEvery > 0 && now >= this.nextChatAt) {
      this.nextChatAt = now + exponential(s.chatEvery * 1000);
      this.client.chat(CHAT_LINES[(Math.random() * CHAT_LINES.length) | 0]!);
      this.world.stats.count('chatsSent');
    }
    if (now >= this.nextTopAt) {
      this.nextTopAt = now + exponential(60_000);
      this.client.send({ t: 'top' });
      this.world.stats.count('topsAsked');
    }
  }

  /** Sets when this player leaves and rejoins, or drops and resumes (-1: never). */
  schedule(plan: PlayerPlan): void {
    this.plan.leaveAt = plan.leaveAt;
    this.plan.dropAt = plan.dropAt;
  }

  /** Starts counting state delivery afresh (the measurement window opens). */
  beginMeasuring(): void {
    this.sessionStart = -1;
    this.sessionStates = 0;
  }

  /** Ends the run: closes the books on this session and says goodbye. */
  async stop(now: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.endSession(now);
    if (this.joined) {
      this.joined = false;
      await this.client.leave(2000).catch(() => undefined);
    }
    this.client.close();
  }

  private steer(): void {
    const c = this.client;
    const me = c.me;
    let dx = 0;
    let dy = 0;
    if (me) {
      let best = Infinity;
      for (const coin of c.coins.values()) {
        const ex = coin.x - me.x;
        const ey = coin.y - me.y;
        const d = ex * ex + ey * ey;
        if (d < best) {
          best = d;
          dx = ex;
          dy = ey;
        }
      }
      const len = Math.sqrt(dx * dx + dy * dy);
      if (len > 1) {
        dx /= len;
        dy /= len;
      } else {
        dx = 0;
        dy = 0;
      }
    }
    // Inputs carry 2 decimals: what a real client sends, and what keeps the messages small.
    c.input(Math.round(dx * 100) / 100, Math.round(dy * 100) / 100);
    this.world.stats.count('inputsSent');
  }

  private ping(): void {
    const gen = this.generation;
    this.world.stats.count('pingsSent');
    this.client.ping(5000).then(
      (rtt) => {
        if (this.world.measuring()) this.world.stats.record('rtt', rtt);
      },
      () => {
        // A ping lost with a connection we dropped on purpose is not the server's fault.
        if (gen === this.generation && !this.stopped) this.world.stats.count('pingTimeouts');
      },
    );
  }

  private async leaveAndRejoin(): Promise<void> {
    this.endSession(performance.now());
    this.joined = false;
    this.generation++;
    this.world.stats.count('leaves');
    try {
      await this.client.leave(3000);
    } catch {
      this.world.stats.error('NO_BYE_AFTER_LEAVE');
    }
    this.client.close();
    await sleep(200 + Math.random() * 500);
    if (this.stopped) return;
    this.client = this.newClient();
    await this.start();
    if (this.joined) this.world.stats.count('rejoins');
  }

  private dropAndResume(now: number): void {
    this.endSession(now);
    this.joined = false;
    this.generation++;
    this.dropStartedAt = now;
    this.world.stats.count('drops');
    clientFaults.drop(this.client);
  }

  private onWelcome(m: WelcomeMsg): void {
    this.hz = m.hz;
    this.lastStateAt = -1;
    this.lastTick = -1;
    this.sessionStart = -1;
    this.sessionStates = 0;
    const now = performance.now();
    // Spread each player's periodic work over its period instead of bunching it at join time.
    this.nextInputAt = now + Math.random() * (1000 / this.world.settings.inputHz);
    this.nextPingAt = now + Math.random() * 1000;
    this.nextChatAt = now + exponential(this.world.settings.chatEvery * 1000);
    this.nextTopAt = now + exponential(60_000);
    if (this.dropStartedAt >= 0) {
      if (m.resumed) {
        this.world.stats.record('resume', now - this.dropStartedAt);
        this.world.stats.count('resumesOk');
      } else {
        this.world.stats.error('RESUME_NOT_RESUMED');
      }
      this.dropStartedAt = -1;
    }
    if (!this.stopped) this.joined = true;
  }

  private onState(m: StateMsg): void {
    if (!this.joined || !this.world.measuring()) {
      this.lastStateAt = performance.now();
      this.lastTick = m.tick;
      return;
    }
    const now = performance.now();
    if (this.lastStateAt >= 0) this.world.stats.record('stateGap', now - this.lastStateAt);
    if (!m.full && this.lastTick >= 0 && m.tick > this.lastTick + 1) {
      this.world.stats.count('ticksSkipped', m.tick - this.lastTick - 1);
    }
    this.lastStateAt = now;
    this.lastTick = m.tick;
    if (this.sessionStart < 0) this.sessionStart = now;
    this.sessionStates++;
    this.world.stats.count('statesDelivered');
  }

  private onError(m: ErrorMsg): void {
    this.world.stats.error(m.code);
  }

  private onStatus(s: string, detail?: string): void {
    if (s === 'reconnecting' && this.dropStartedAt < 0 && !this.stopped) {
      // The connection went away without us asking: count it, and time the library's resume.
      this.endSession(performance.now());
      this.joined = false;
      this.generation++;
      this.dropStartedAt = performance.now();
      this.world.stats.count('closedUnexpectedly');
    } else if (s === 'closed' && !this.stopped) {
      if (this.dropStartedAt >= 0) {
        this.world.stats.count('resumesFailed');
        this.world.stats.error(`RESUME_FAILED${detail ? ` (${detail})` : ''}`.slice(0, 60));
        this.dropStartedAt = -1;
      } else if (this.joined) {
        this.endSession(performance.now());
        this.world.stats.count('closedUnexpectedly');
      }
      this.joined = false;
    }
  }

  /** Adds this session's expected and delivered states to the totals. */
  private endSession(now: number): void {
    if (this.sessionStart >= 0 && this.world.measuring()) {
      const expected = Math.floor(((now - this.sessionStart) * this.hz) / 1000) + 1;
      this.world.stats.count('statesExpected', expected);
    }
    this.sessionStart = -1;
    this.sessionStates = 0;
  }
}

function exponential(meanMs: number): number {
  return -Math.log(1 - Math.random()) * meanMs;
}

function classify(err: Error): string {
  const m = err.message;
  if (m.includes('closed before welcome')) return 'CLOSED_BEFORE_WELCOME';
  if (m.includes('websocket')) return 'WS_CONNECT_FAILED';
  return 'CONNECT_FAILED';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
