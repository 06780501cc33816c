// Four in a row on the page. The board is DOM, not canvas: 7 columns of 6 cells whose discs are
// attributes, so a screen reader, a keyboard user and a test all read the same board the server
// sent. The view redraws only from the server's `four` messages (after a resume too) and sends
// what the player asks for; the rules of what to offer live in four-model.ts.
import { byId, el } from '../dom.js';
import {
  COLS, ROWS, SEAT_COLOURS, boardKey, cellIndex, columnFull, moveErrorText, secondsLeft, situation,
  type FourState, type SeatNo, type Situation,
} from '../four-model.js';

/** How long a refused move's sentence stays. */
const ERROR_SHOWN_MS = 3500;

export type FourRequest = { t: 'move'; col: number } | { t: 'rematch' } | { t: 'computer' };

export class FourView {
  private readonly board = byId('four-board');
  private readonly statusLine = byId('four-status');
  private readonly timer = byId('four-timer');
  private readonly seatList = byId<HTMLOListElement>('four-seats');
  private readonly error = byId('four-error');
  private readonly computer = byId<HTMLButtonElement>('four-computer');
  private readonly rematch = byId<HTMLButtonElement>('four-rematch');
  private readonly columns: HTMLElement[] = [];
  /** By board index (row * 7 + col, row 0 at the bottom). */
  private readonly cells: HTMLElement[] = [];
  private state: FourState | null = null;
  private sit: Situation | null = null;
  private cursor = 3;
  /** performance.now() when the turn's time runs out; 0 when no turn runs. */
  private deadline = 0;
  private shownSeconds = -1;
  private computerAsked = false;
  private errorTimer: ReturnType<typeof setTimeout> | null = null;
  private seatsKey = '';

  constructor(private readonly send: (m: FourRequest) => void) {
    for (let c = 0; c < COLS; c++) {
      const col = el('div', { class: 'four-col', id: `four-col-${c}`, 'data-col': String(c), role: 'button' });
      for (let r = ROWS - 1; r >= 0; r--) {
        const cell = el('div', { class: 'four-cell', 'data-cell': String(cellIndex(r, c)), 'data-disc': '0' });
        this.cells[cellIndex(r, c)] = cell;
        col.append(cell);
      }
      col.addEventListener('click', () => {
        this.setCursor(c);
        this.board.focus();
        this.drop(c);
      });
      this.columns.push(col);
    }
    this.board.replaceChildren(...this.columns);
    this.board.addEventListener('keydown', (e) => this.key(e));
    this.computer.addEventListener('click', () => {
      this.computerAsked = true;
      this.computer.disabled = true;
      this.send({ t: 'computer' });
    });
    this.rematch.addEventListener('click', () => {
      this.rematch.disabled = true;
      this.send({ t: 'rematch' });
    });
    this.setCursor(this.cursor);
  }

  /** A fresh room: nothing known until the server's first `four` message. */
  reset(): void {
    this.state = null;
    this.sit = null;
    this.deadline = 0;
    this.shownSeconds = -1;
    this.computerAsked = false;
    this.seatsKey = '';
    for (const cell of this.cells) {
      cell.dataset.disc = '0';
      cell.classList.remove('win');
    }
    this.seatList.replaceChildren();
    this.setStatus('waiting', 'Joining the game…');
    this.timer.textContent = '';
    this.computer.hidden = true;
    this.rematch.hidden = true;
    this.clearError();
  }

  focus(): void {
    this.board.focus();
  }

  update(s: FourState, me: string, now: number): void {
    const sit = situation(s, me);
    this.state = s;
    this.sit = sit;
    for (let i = 0; i < this.cells.length; i++) {
      const cell = this.cells[i]!;
      const disc = String(s.board[i] ?? 0);
      if (cell.dataset.disc !== disc) cell.dataset.disc = disc;
      cell.classList.toggle('win', s.line.includes(i));
    }
    for (let c = 0; c < COLS; c++) {
      const full = columnFull(s.board, c);
      const col = this.columns[c]!;
      col.classList.toggle('full', full);
      col.setAttribute('aria-disabled', String(!sit.canMove || full));
      col.setAttribute('aria-label', `Column ${c + 1}${full ? ', full' : ''}`);
    }
    this.board.dataset.phase = sit.phase;
    this.board.dataset.moves = String(s.moves);
    this.board.classList.toggle('spectating', sit.mySeat === null);
    this.board.setAttribute('aria-label', boardLabel(s, sit));
    this.setStatus(sit.phase, sit.text);
    this.showSeats(s, sit.mySeat);

    if (!sit.canAskComputer) this.computerAsked = false;
    this.computer.hidden = !sit.canAskComputer;
    this.computer.disabled = this.computerAsked;
    this.rematch.hidden = !(sit.canRematch || sit.rematchAsked);
    this.rematch.disabled = sit.rematchAsked;
    this.rematch.textContent = sit.rematchAsked ? 'Rematch asked: waiting…' : 'Rematch';

    // A game began from a button that has now gone (computer, rematch): keys go to the board.
    if (sit.canMove && (document.activeElement === document.body || document.activeElement === null)) this.board.focus();

    this.deadline = s.status === 'playing' && s.turnLeftMs > 0 ? now + s.turnLeftMs : 0;
    this.shownSeconds = -1;
    this.tick(now);
  }

  /** Called every animation frame: the turn's time left, redrawn when the second changes. */
  tick(now: number): void {
    const s = this.state;
    if (!s || this.deadline === 0) {
      if (this.timer.textContent !== '') this.timer.textContent = '';
      return;
    }
    const secs = secondsLeft(this.deadline, now);
    if (secs === this.shownSeconds) return;
    this.shownSeconds = secs;
    this.timer.dataset.seconds = String(secs);
    const whose = this.sit?.mySeat === s.turn ? 'you' : (s.seats[s.turn]?.name ?? SEAT_COLOURS[s.turn]);
    this.timer.textContent = `${secs} s left for ${whose}`;
  }

  /** A move (or request) the server refused, shown for a few seconds. */
  showError(code: string, message: string): void {
    this.error.textContent = moveErrorText(code, message);
    this.error.dataset.code = code;
    if (code === 'NOT_PLAYING' || this.computerAsked) {
      this.computerAsked = false;
      this.computer.disabled = false;
    }
    if (this.sit?.canRematch) this.rematch.disabled = false;
    if (this.errorTimer) clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => this.clearError(), ERROR_SHOWN_MS);
  }

  private clearError(): void {
    if (this.errorTimer) clearTimeout(this.errorTimer);
    this.errorTimer = null;
    this.error.textContent = '';
    delete this.error.dataset.code;
  }

  private drop(col: number): void {
    if (!this.sit) return;
    if (this.sit.mySeat === null) {
      this.error.textContent = 'You are watching: only the two players move.';
      this.error.dataset.code = 'SPECTATOR';
      if (this.errorTimer) clearTimeout(this.errorTimer);
      this.errorTimer = setTimeout(() => this.clearError(), ERROR_SHOWN_MS);
      return;
    }
    this.send({ t: 'move', col });
  }

  private key(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const action = boardKey(e.key, this.cursor);
    if (!action) return;
    e.preventDefault();
    if ('cursor' in action) this.setCursor(action.cursor);
    else {
      this.setCursor(action.drop);
      this.drop(action.drop);
    }
  }

  private setCursor(col: number): void {
    this.columns[this.cursor]?.classList.remove('cursor');
    this.cursor = col;
    this.columns[col]?.classList.add('cursor');
    this.board.setAttribute('aria-activedescendant', `four-col-${col}`);
    this.board.dataset.cursor = String(col);
  }

  private setStatus(phase: string, text: string): void {
    this.statusLine.dataset.phase = phase;
    if (this.statusLine.textContent !== text) this.statusLine.textContent = text;
  }

  private showSeats(s: FourState, mine: SeatNo | null): void {
    const key = JSON.stringify([s.seats, s.wins, s.rematch, s.status, s.turn, s.spectators, mine]);
    if (key === this.seatsKey) return;
    this.seatsKey = key;
    const over = s.status === 'won' || s.status === 'draw';
    this.seatList.replaceChildren(
      ...([0, 1] as const).map((n) => {
        const seat = s.seats[n];
        const li = el('li', { 'data-seat': String(n), class: `seat-${n}` },
          el('span', { class: 'disc-swatch', 'aria-hidden': 'true' }),
          el('span', { class: 'seat-colour' }, `${SEAT_COLOURS[n]}:`), ' ',
          seat ? el('bdi', { class: 'name' }, seat.name) : el('span', { class: 'name empty' }, 'empty seat'),
        );
        if (seat) li.dataset.id = seat.id;
        if (n === mine) {
          li.classList.add('me');
          li.append(' ', el('span', { class: 'you' }, '(you)'));
        }
        if (s.status === 'playing' && s.turn === n) li.append(' ', el('span', { class: 'to-move' }, 'to move'));
        if (over && s.rematch[n]) li.append(' ', el('span', { class: 'wants' }, 'wants a rematch'));
        li.append(el('span', { class: 'wins', title: 'Wins in this room' }, `${s.wins[n]} ${s.wins[n] === 1 ? 'win' : 'wins'}`));
        return li;
      }),
      ...(s.spectators > 0 ? [el('li', { class: 'watching' }, `${s.spectators} watching`)] : []),
    );
  }
}

function boardLabel(s: FourState, sit: Situation): string {
  const how = sit.mySeat === null ? 'You are watching.' : 'Press 1 to 7 to drop a disc, or move with the arrow keys and press Enter.';
  return `Four in a row board, ${s.moves} ${s.moves === 1 ? 'move' : 'moves'} played. ${how}`;
}
