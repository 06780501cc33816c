// The room picker: a game (radio buttons: arena or four in a row), a name, then quick join (the
// server picks a room of that game with a free seat), a named room (joined or made), or one of
// the open rooms from GET /rooms, refreshed while visible. The list comes a page at a time (the
// server's page size), with Previous / Next to move through it.
import { fetchRooms, type RoomPage } from '../api.js';
import { byId, el } from '../dom.js';
import { ROOM_ID_PATTERN, PROTOCOL_LIMITS } from '../../shared/protocol/limits.js';

/**
 * `auth`: a sign-in token (JWT) for a server with accounts, from the page URL or the lobby.
 * `game`: the game picked (a room that exists already is of its own game: the welcome says which).
 */
export interface JoinRequest { name: string; room?: string; auth?: string; game?: string }

/** The games the picker offers (the server's built-in ones). */
export const GAMES = ['arena', 'four'] as const;
export type GameName = (typeof GAMES)[number];

export function isGameName(v: unknown): v is GameName {
  return (GAMES as readonly unknown[]).includes(v);
}

const GAME_LABELS: Record<GameName, string> = { arena: 'Arena', four: 'Four in a row' };

function gameLabel(game: string): string {
  return isGameName(game) ? GAME_LABELS[game] : game;
}

const REFRESH_MS = 3000;

export class LobbyView {
  private readonly section = byId('lobby');
  private readonly form = byId<HTMLFormElement>('join-form');
  private readonly nameInput = byId<HTMLInputElement>('name');
  private readonly roomInput = byId<HTMLInputElement>('room');
  private readonly authInput = byId<HTMLInputElement>('auth');
  private readonly rooms = byId<HTMLUListElement>('rooms');
  private readonly error = byId('lobby-error');
  private readonly pager = byId('rooms-pager');
  private readonly prev = byId<HTMLButtonElement>('rooms-prev');
  private readonly next = byId<HTMLButtonElement>('rooms-next');
  private readonly pageLabel = byId('rooms-page');
  private timer: ReturnType<typeof setInterval> | null = null;
  private listKey = '';
  /** Offset of the page shown, and the size of the last page the server gave. */
  private offset = 0;
  private pageSize = 0;

  constructor(private readonly onJoin: (r: JoinRequest) => void) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit(undefined);
    });
    byId('join-room').addEventListener('click', () => {
      const room = this.roomInput.value.trim();
      if (!ROOM_ID_PATTERN.test(room)) {
        this.showError('A room name is 1 to 32 letters, digits, _ or -.');
        this.roomInput.focus();
        return;
      }
      this.submit(room);
    });
    this.roomInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        byId('join-room').click();
      }
    });
    byId('refresh-rooms').addEventListener('click', () => void this.refresh());
    this.prev.addEventListener('click', () => {
      this.offset = Math.max(0, this.offset - this.pageSize);
      void this.refresh();
    });
    this.next.addEventListener('click', () => {
      this.offset += this.pageSize;
      void this.refresh();
    });
  }

  /** The game picked now. */
  game(): GameName {
    const checked = this.form.querySelector<HTMLInputElement>('input[name="game"]:checked');
    return isGameName(checked?.value) ? checked.value : 'arena';
  }

  setGame(game: string): void {
    if (!isGameName(game)) return;
    const radio = this.form.querySelector<HTMLInputElement>(`input[name="game"][value="${game}"]`);
    if (radio) radio.checked = true;
  }

  setName(name: string): void {
    this.nameInput.value = name;
  }

  setAuth(token: string): void {
    this.authInput.value = token;
  }

  setRoom(room: string): void {
    this.roomInput.value = room;
  }

  show(error = ''): void {
    this.section.hidden = false;
    this.showError(error);
    void this.refresh();
    if (!this.timer) this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    (this.nameInput.value ? byId('quick-join') : this.nameInput).focus();
  }

  hide(): void {
    this.section.hidden = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  /** `game`: the room's own game (a listed room); else the game picked. */
  private submit(room: string | undefined, game: string = this.game()): void {
    const name = this.nameInput.value.trim();
    const len = [...name].length;
    // eslint-disable-next-line no-control-regex
    if (len < PROTOCOL_LIMITS.nameMin || len > PROTOCOL_LIMITS.nameMax || /[\u0000-\u001f\u007f]/.test(name)) {
      this.showError('Pick a name of 1 to 32 characters.');
      this.nameInput.focus();
      return;
    }
    this.showError('');
    const req: JoinRequest = room ? { name, room, game } : { name, game };
    const auth = this.authInput.value.trim();
    if (auth) req.auth = auth;
    this.onJoin(req);
  }

  private async refresh(): Promise<void> {
    let page: RoomPage;
    try {
      page = await fetchRooms(this.offset);
      // Rooms went away under the page shown: go back to the first page.
      if (page.rooms.length === 0 && this.offset > 0) {
        this.offset = 0;
        page = await fetchRooms(0);
      }
    } catch {
      this.listKey = '';
      this.pager.hidden = true;
      this.rooms.replaceChildren(el('li', { class: 'empty' }, 'Could not load the room list.'));
      return;
    }
    // Rebuild only on change, so a keyboard user's focus on a room button survives the refresh.
    const key = JSON.stringify(page);
    if (key === this.listKey) return;
    this.listKey = key;
    const list = page.rooms;
    // A full page tells the server's page size; the last page may be shorter.
    if (page.offset + list.length < page.total || this.pageSize === 0) this.pageSize = list.length;
    this.pager.hidden = page.total <= list.length;
    this.prev.disabled = page.offset === 0;
    this.next.disabled = page.offset + list.length >= page.total;
    this.pageLabel.textContent = `${page.offset + 1}-${page.offset + list.length} of ${page.total}`;
    if (list.length === 0) {
      this.rooms.replaceChildren(el('li', { class: 'empty' }, 'No rooms yet: quick join makes one.'));
      return;
    }
    this.rooms.replaceChildren(
      ...list.map((r) => {
        const full = r.players >= r.capacity;
        const b = el(
          'button',
          {
            type: 'button', 'data-room': r.id, ...(r.game ? { 'data-game': r.game } : {}),
            'aria-label': `Join room ${r.id}${r.game ? `, ${gameLabel(r.game)}` : ''}, ${r.players} of ${r.capacity} players${full ? ', full' : ''}`,
          },
          el('span', {}, r.id, ...(r.game ? [el('span', { class: 'room-game' }, ` · ${gameLabel(r.game)}`)] : [])),
          el('span', {}, `${r.players}/${r.capacity}`),
        );
        b.disabled = full;
        b.addEventListener('click', () => this.submit(r.id, r.game));
        return el('li', {}, b);
      }),
    );
  }
}
