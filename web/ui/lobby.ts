// The room picker: a name, then quick join (the server picks a room with a free seat), a named
// room (joined or made), or one of the open rooms from GET /rooms, refreshed while visible.
import { fetchRooms, type RoomInfo } from '../api.js';
import { byId, el } from '../dom.js';
import { ROOM_ID_PATTERN, PROTOCOL_LIMITS } from '../../shared/protocol/limits.js';

export interface JoinRequest { name: string; room?: string }

const REFRESH_MS = 3000;

export class LobbyView {
  private readonly section = byId('lobby');
  private readonly form = byId<HTMLFormElement>('join-form');
  private readonly nameInput = byId<HTMLInputElement>('name');
  private readonly roomInput = byId<HTMLInputElement>('room');
  private readonly rooms = byId<HTMLUListElement>('rooms');
  private readonly error = byId('lobby-error');
  private timer: ReturnType<typeof setInterval> | null = null;
  private listKey = '';

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
  }

  setName(name: string): void {
    this.nameInput.value = name;
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

  private submit(room: string | undefined): void {
    const name = this.nameInput.value.trim();
    const len = [...name].length;
    // eslint-disable-next-line no-control-regex
    if (len < PROTOCOL_LIMITS.nameMin || len > PROTOCOL_LIMITS.nameMax || /[\u0000-\u001f\u007f]/.test(name)) {
      this.showError('Pick a name of 1 to 32 characters.');
      this.nameInput.focus();
      return;
    }
    this.showError('');
    this.onJoin(room ? { name, room } : { name });
  }

  private async refresh(): Promise<void> {
    let list: RoomInfo[];
    try {
      list = await fetchRooms();
    } catch {
      this.listKey = '';
      this.rooms.replaceChildren(el('li', { class: 'empty' }, 'Could not load the room list.'));
      return;
    }
    // Rebuild only on change, so a keyboard user's focus on a room button survives the refresh.
    const key = JSON.stringify(list);
    if (key === this.listKey) return;
    this.listKey = key;
    if (list.length === 0) {
      this.rooms.replaceChildren(el('li', { class: 'empty' }, 'No rooms yet: quick join makes one.'));
      return;
    }
    this.rooms.replaceChildren(
      ...list.map((r) => {
        const full = r.players >= r.capacity;
        const b = el(
          'button',
          { type: 'button', 'data-room': r.id, 'aria-label': `Join room ${r.id}, ${r.players} of ${r.capacity} players${full ? ', full' : ''}` },
          el('span', {}, r.id),
          el('span', {}, `${r.players}/${r.capacity}`),
        );
        b.disabled = full;
        b.addEventListener('click', () => this.submit(r.id));
        return el('li', {}, b);
      }),
    );
  }
}
