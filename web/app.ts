// The browser client: one ShoalClient at a time, its events turned into the view. Everything
// about the wire (hello, resume with backoff, mirroring the room) is the shared client library's.
// The welcome's game picks the view: the arena's canvas, or the four in a row board. With many
// hosts in one world, the library follows a REDIRECT to the host running the room; the page says
// which host it plays on (the one it was loaded from, or the one it was sent to).
import { ShoalClient } from '../shared/client/client.js';
import { wsConnector, type WsConstructor } from '../shared/client/ws-transport.js';
import type { ChatScope } from '../shared/protocol/messages.js';
import { fetchLeaderboard, wsUrl, type Standing } from './api.js';
import { Controls } from './controls.js';
import { byId } from './dom.js';
import { parseFour, type FourState } from './four-model.js';
import { Interpolator } from './interp.js';
import { Palette } from './palette.js';
import { ArenaRenderer } from './render.js';
import { clearSession, loadGame, loadName, loadSession, saveGame, saveName, saveSession } from './session.js';
import { LeaderboardView, RosterView } from './ui/boards.js';
import { ChatView } from './ui/chat.js';
import { FourView } from './ui/four.js';
import { LobbyView, type JoinRequest } from './ui/lobby.js';
import { StatusView } from './ui/status.js';

const TOP_EVERY_MS = 3000;
const PING_EVERY_MS = 2000;
const LOBBY_BOARD_EVERY_MS = 5000;
const ROSTER_EVERY_MS = 200;

type View = 'arena' | 'four';

type Ending = { state: 'kicked' | 'shutdown' | 'replaced' | 'lost'; status: string; text: string; keepToken: boolean };

export class App {
  private client: ShoalClient | null = null;
  private lastJoin: JoinRequest | null = null;
  private readonly names = new Map<string, string>();
  private readonly interp = new Interpolator();
  private readonly palette = new Palette();
  private standings: Standing[] = [];
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private rosterAt = 0;
  private shownScore = -1;
  private view: View = 'arena';

  private readonly canvas = byId<HTMLCanvasElement>('arena');
  private readonly renderer = new ArenaRenderer(this.canvas);
  private readonly status = new StatusView();
  private readonly leaderboard = new LeaderboardView();
  private readonly roster = new RosterView();
  private readonly lobby = new LobbyView((r) => void this.join(r));
  private readonly four = new FourView((m) => {
    if (this.client?.status === 'joined') this.client.send(m);
  });
  private readonly chat = new ChatView(
    (text, scope) => this.sendChat(text, scope),
    () => this.focusView(),
  );
  private readonly controls = new Controls(this.canvas, {
    selfPosition: () => (this.client ? this.interp.position(this.client.id, performance.now()) : null),
    toWorld: (x, y) => this.renderer.toWorld(x, y),
    send: (dx, dy) => {
      if (this.client?.status === 'joined') this.client.input(dx, dy);
    },
    onChatKey: () => this.chat.focus(),
  });

  start(): void {
    const params = new URLSearchParams(location.search);
    this.lobby.setName(params.get('name') ?? loadName() ?? `guest-${1000 + Math.floor(Math.random() * 9000)}`);
    this.lobby.setGame(params.get('game') ?? loadGame() ?? 'arena');
    const room = params.get('room');
    if (room) this.lobby.setRoom(room);
    // A sign-in token may come in the URL: ?auth= or, kept out of server logs and Referer, #auth=.
    const auth = new URLSearchParams(location.hash.slice(1)).get('auth') ?? params.get('auth');
    if (auth) this.lobby.setAuth(auth);

    byId('leave').addEventListener('click', () => void this.leave());
    byId('back').addEventListener('click', () => {
      this.dispose();
      this.showLobby('');
    });
    byId('rejoin').addEventListener('click', () => {
      if (!this.lastJoin) return this.showLobby('');
      const saved = loadSession();
      void this.join(this.lastJoin, saved?.token, saved?.address);
    });

    // A reload (or a crash of the tab's page) comes back as the same player, seat and score.
    const saved = loadSession();
    if (saved) void this.join({ name: saved.name, room: saved.room, ...(saved.game ? { game: saved.game } : {}), ...(auth ? { auth } : {}) }, saved.token, saved.address);
    else this.showLobby('');

    void this.refreshBoardOverHttp();
    setInterval(() => {
      if (this.client?.status !== 'joined') void this.refreshBoardOverHttp();
    }, LOBBY_BOARD_EVERY_MS);
    requestAnimationFrame((t) => this.frame(t));
  }

  /** `address`: the host it last played on (a reload starts there, not on the page's own host). */
  private async join(req: JoinRequest, token?: string, address?: string): Promise<void> {
    this.dispose();
    saveName(req.name);
    if (req.game) saveGame(req.game);
    this.lastJoin = req;
    this.names.clear();
    this.interp.clear();
    this.palette.clear();
    this.chat.clear();
    this.showGame();
    this.setView(req.game === 'four' ? 'four' : 'arena');
    this.four.reset();
    this.status.set('connecting', req.room ? `Connecting to ${req.room}…` : 'Connecting…');

    const client = new ShoalClient({
      // WsLike's handler types are narrower than the DOM's event types; the DOM WebSocket fits at run time.
      connector: wsConnector(wsUrl(), WebSocket as unknown as WsConstructor),
      name: req.name,
      room: req.room,
      token,
      auth: req.auth,
      game: req.game,
      ...(token && address ? { address } : {}),
    });
    this.client = client;
    this.wire(client, req.name);
    try {
      await client.connect();
    } catch (err) {
      if (client !== this.client) return;
      const code = (err as { code?: string }).code;
      this.dispose();
      if (token && code === 'BAD_TOKEN') {
        // The seat expired (or the server forgot it): join again as a new player.
        clearSession();
        return this.join(req);
      }
      this.showLobby(joinFailure(code, (err as Error).message));
    }
  }

  private wire(client: ShoalClient, name: string): void {
    const current = () => client === this.client;
    let me = name;
    // The game's last `four` message: a room may send it just before the welcome that names this
    // player's id, so it is drawn again once the id is known.
    let lastFour: FourState | null = null;
    client.on('welcome', (m) => {
      if (!current()) return;
      // A server with accounts may seat the player under its token's name rather than the typed one.
      me = m.name ?? name;
      saveSession({ token: m.token, room: m.room, name: me, ...(m.game ? { game: m.game } : {}), ...(client.address ? { address: client.address } : {}) });
      // The room decides: a room joined by name may be of another game than the one picked.
      this.setView(m.game === 'four' ? 'four' : 'arena');
      this.names.set(m.id, me);
      this.interp.setRate(m.hz);
      document.body.dataset.playerId = m.id;
      document.body.dataset.room = m.room;
      const host = client.address ?? location.host;
      document.body.dataset.host = host;
      byId('room-label').textContent = `Room ${m.room}`;
      byId('room-label').title = `Playing on host ${host}`;
      this.status.set('joined', client.address ? `Connected · room ${m.room} · host ${host}` : `Connected · room ${m.room}`);
      this.chat.system(m.resumed ? `Resumed in room ${m.room}.` : `Joined room ${m.room}.`);
      this.hideOverlay();
      this.controls.enabled = this.view === 'arena';
      if (this.view === 'arena') this.controls.resend();
      client.send({ t: 'top' });
      this.startTimers(client);
      if (document.activeElement === document.body || document.activeElement instanceof HTMLButtonElement) this.focusView();
      if (lastFour && this.view === 'four') this.four.update(lastFour, m.id, performance.now());
    });
    // Four in a row: every change (and a resume) brings the whole game; the view redraws from it.
    client.on('message', (m) => {
      if (!current() || (m as { t: string }).t !== 'four') return;
      const s = parseFour(m);
      if (!s) return;
      lastFour = s;
      if (this.view === 'four') this.four.update(s, client.id, performance.now());
    });
    client.on('state', () => {
      if (current()) this.interp.update(client.players, performance.now());
    });
    client.on('chat', (m) => {
      if (!current()) return;
      if (m.operator !== true) this.names.set(m.from, m.name);
      this.chat.add(m, client.id);
    });
    client.on('top', (m) => {
      if (!current()) return;
      this.standings = m.players;
      this.leaderboard.show(this.standings, me);
    });
    client.on('error', (m) => {
      // Join failures are reported by connect(); in play, a refused message is worth a line.
      if (!current() || client.status !== 'joined') return;
      this.chat.system(`Server: ${m.message} (${m.code})`);
      if (this.view === 'four') this.four.showError(m.code, m.message);
    });
    client.on('redirect', (to) => {
      if (!current()) return;
      this.status.set(client.status === 'reconnecting' ? 'reconnecting' : 'connecting', `Sent to host ${to}…`);
      this.chat.system(`The room runs on host ${to}: going there.`);
    });
    client.on('status', (s, detail) => {
      if (!current()) return;
      if (s === 'reconnecting') {
        this.controls.enabled = false;
        this.stopTimers();
        this.status.set('reconnecting', 'Connection lost · reconnecting…');
        this.chat.system('Connection lost, reconnecting…');
      } else if (s === 'closed') {
        this.ended(detail ?? client.endReason ?? 'closed');
      }
    });
  }

  private ended(reason: string): void {
    this.controls.enabled = false;
    this.controls.releaseAll();
    this.stopTimers();
    const e = ending(reason);
    if (!e.keepToken) clearSession();
    this.status.set(e.state, e.status);
    this.chat.system(e.text);
    byId('overlay-text').textContent = e.text;
    byId('overlay').hidden = false;
    byId('rejoin').focus();
  }

  private async leave(): Promise<void> {
    const c = this.client;
    this.client = null; // its goodbye is expected: no "disconnected" screen
    clearSession();
    this.stopTimers();
    this.controls.enabled = false;
    if (c) {
      await c.leave(2000).catch(() => undefined);
      c.close();
    }
    this.showLobby('');
  }

  private dispose(): void {
    const c = this.client;
    this.client = null;
    this.stopTimers();
    this.controls.enabled = false;
    c?.close();
  }

  private sendChat(text: string, scope: ChatScope): void {
    if (this.client?.status === 'joined') this.client.chat(text, scope);
    else this.chat.system('Not connected: the message was not sent.');
  }

  private startTimers(client: ShoalClient): void {
    this.stopTimers();
    this.timers.push(
      setInterval(() => client.send({ t: 'top' }), TOP_EVERY_MS),
      setInterval(() => {
        client.ping().then(
          (rtt) => {
            if (client === this.client) byId('ping').textContent = `${Math.round(rtt)} ms`;
          },
          () => undefined,
        );
      }, PING_EVERY_MS),
    );
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    byId('ping').textContent = '';
  }

  private async refreshBoardOverHttp(): Promise<void> {
    try {
      this.standings = await fetchLeaderboard();
      this.leaderboard.show(this.standings, loadName());
    } catch {
      // The server may be down; the board keeps what it had.
    }
  }

  private showGame(): void {
    this.lobby.hide();
    byId('game').hidden = false;
    byId('roster-panel').hidden = false;
    byId('chat-panel').hidden = false;
    byId('leave').hidden = false;
    byId('stats').hidden = false;
    this.hideOverlay();
  }

  private showLobby(error: string): void {
    byId('game').hidden = true;
    byId('roster-panel').hidden = true;
    byId('chat-panel').hidden = true;
    byId('leave').hidden = true;
    byId('stats').hidden = true;
    byId('room-label').textContent = '';
    byId('score').textContent = '0';
    this.shownScore = -1;
    delete document.body.dataset.playerId;
    delete document.body.dataset.room;
    delete document.body.dataset.host;
    this.status.set(error ? 'offline' : 'idle', error ? 'Not connected' : 'Not in a room');
    this.lobby.show(error);
  }

  /** Shows the view of the room's game; the other one's parts are hidden. */
  private setView(view: View): void {
    this.view = view;
    const arena = view === 'arena';
    this.canvas.hidden = !arena;
    byId('arena-hint').hidden = !arena;
    byId('four').hidden = arena;
    byId('four-hint').hidden = arena;
    byId('game').setAttribute('aria-label', arena ? 'Arena' : 'Four in a row');
    // The roster and the score are the arena's; four in a row shows its seats and wins itself.
    byId('roster-panel').hidden = !arena;
    byId('score-box').hidden = !arena;
    if (!arena) {
      this.controls.enabled = false;
      this.controls.releaseAll();
    }
  }

  private focusView(): void {
    if (this.view === 'four') this.four.focus();
    else this.canvas.focus();
  }

  private hideOverlay(): void {
    byId('overlay').hidden = true;
  }

  private frame(now: number): void {
    requestAnimationFrame((t) => this.frame(t));
    const c = this.client;
    if (!c || byId('game').hidden) return;
    if (this.view === 'four') {
      this.four.tick(now);
      return;
    }
    this.controls.update(now);
    const players = this.interp.sample(now);
    this.renderer.draw({
      field: c.world.w > 0 ? c.world : { w: 1000, h: 1000 },
      players,
      coins: c.coins.values(),
      selfId: c.id,
      names: this.names,
      palette: this.palette,
      target: this.controls.enabled ? this.controls.target() : null,
      now,
    });
    const score = c.me?.score ?? 0;
    if (score !== this.shownScore) {
      this.shownScore = score;
      byId('score').textContent = String(score);
    }
    if (now - this.rosterAt >= ROSTER_EVERY_MS) {
      this.rosterAt = now;
      this.roster.show(players, c.id, this.names, this.palette);
    }
  }
}

function ending(reason: string): Ending {
  switch (reason) {
    case 'kicked':
    case 'banned':
      return { state: 'kicked', status: 'Kicked', text: 'You were removed from the room by an operator.', keepToken: false };
    case 'shutdown':
    case 'SHUTTING_DOWN':
      return { state: 'shutdown', status: 'Server shut down', text: 'The server shut down. Your score is saved.', keepToken: true };
    case 'replaced':
      return { state: 'replaced', status: 'Playing elsewhere', text: 'This player was taken over by another window.', keepToken: false };
    default:
      return { state: 'lost', status: 'Disconnected', text: `Lost the connection to the server (${reason}).`, keepToken: true };
  }
}

function joinFailure(code: string | undefined, message: string): string {
  switch (code) {
    case 'ROOM_FULL': return 'That room is full. Pick another one, or quick join.';
    case 'ROOM_LIMIT': return 'You made many new rooms in the last minute. Join an open room, or quick join.';
    case 'SERVER_FULL': return 'The server is full right now. Try again in a moment.';
    case 'SHUTTING_DOWN': return 'The server is shutting down. Try again in a moment.';
    case 'BAD_MESSAGE': return `The server refused that: ${message.replace(/^BAD_MESSAGE:\s*/, '')}`;
    case 'AUTH_REQUIRED': return 'This server needs you to sign in: paste your sign-in token below, then join.';
    case 'AUTH_EXPIRED': return 'Your sign-in token has expired. Get a new one, paste it below and join again.';
    case 'AUTH_INVALID': return `Your sign-in token was not accepted (${message.replace(/^AUTH_INVALID:\s*/, '')}). Check it and try again.`;
    case 'WRONG_GAME': return 'That room plays another game: pick its game above, or another room.';
    case 'UNKNOWN_GAME': return 'This server does not run that game: pick another one.';
    case 'NAME_TAKEN': return 'That name belongs to a signed-in player. Pick another name, or sign in.';
    case 'REDIRECT': return `The servers could not agree where that room runs (${message.replace(/^REDIRECT:\s*/, '')}). Try again in a moment.`;
    default: return `Could not reach the server (${message}).`;
  }
}
