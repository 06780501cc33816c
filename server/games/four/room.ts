// One four-in-a-row room: two seats (a player or the computer), spectators, whose turn it is and
// the turn clock (ctx.timers), rematches, the wins each seat's player has here, and the snapshot
// a room comes back from after a drop, a restart or a worker's death. It sends the whole game in
// one `four` message after every change, encoded once for every member, and keeps its room closed
// to quick-join while both seats are taken (the computer is no member, so the coordinator's count
// of members alone would send a newcomer to watch a game against it).
import type { GameClientMessage, Room, RoomContext, SeatInfo, TimerHandle } from '../../game-api/index.js';
import { COMPUTER_ID, type FourErrorCode, type FourMsg, type FourStatus } from './messages.js';
import { emptyBoard, isFull, landingRow, COLS, winningLine, type Cell, type Disc } from './rules.js';
import { bestMove } from './search.js';
import type { FourSettings } from './settings.js';
import { FOUR_KEYS } from './world-keys.js';

type SeatNo = 0 | 1;
interface Holder {
  id: string;
  name: string;
}

/** Everything a room needs to come back where it was (snapshot format version 1). */
export interface FourSnapshot {
  board: number[];
  seats: [Holder | null, Holder | null];
  turn: SeatNo;
  status: FourStatus;
  winner: SeatNo | null;
  line: number[];
  moves: number;
  rematch: [boolean, boolean];
  wins: [number, number];
  /** The seat that moved first in the current (or last) game. */
  starter: SeatNo;
  /** Games started in this room (the next one is started by the other seat). */
  games: number;
  /** Time the seat to move had left when the snapshot was taken. */
  turnLeftMs: number;
  /** The computer's seat, if it plays here. */
  botSeat: SeatNo | null;
  reason: FourMsg['reason'];
}

/** The pool task that searches the computer's move (built beside this file). */
const BOT_TASK = { file: new URL('./bot-task.js', import.meta.url), name: 'bestMove' };

export class FourRoom implements Room {
  private board: Cell[] = emptyBoard();
  private seats: [Holder | null, Holder | null] = [null, null];
  private turn: SeatNo = 0;
  private status: FourStatus = 'waiting';
  private winner: SeatNo | null = null;
  private line: number[] = [];
  private moves = 0;
  private rematchAsked: [boolean, boolean] = [false, false];
  private wins: [number, number] = [0, 0];
  private starter: SeatNo = 0;
  private games = 0;
  private botSeat: SeatNo | null = null;
  private reason: FourMsg['reason'] = null;
  private readonly spectators = new Set<string>();
  /** When the seat to move runs out of time (Date.now() clock); 0 unless playing. */
  private deadline = 0;
  private turnTimer: TimerHandle | null = null;
  /** Bumped at every move and game end: a turn timer or computer answer from before is stale. */
  private gen = 0;
  private ended = false;

  constructor(private readonly ctx: RoomContext, private readonly settings: FourSettings, snap?: FourSnapshot) {
    if (!snap) return;
    this.board = snap.board.map((v) => (v === 1 || v === 2 ? v : 0));
    this.seats = [snap.seats[0], snap.seats[1]];
    this.turn = snap.turn;
    this.status = snap.status;
    this.winner = snap.winner;
    this.line = [...snap.line];
    this.moves = snap.moves;
    this.rematchAsked = [snap.rematch[0], snap.rematch[1]];
    this.wins = [snap.wins[0], snap.wins[1]];
    this.starter = snap.starter;
    this.games = snap.games;
    this.botSeat = snap.botSeat;
    this.reason = snap.reason;
    this.syncOpen();
    if (this.status === 'playing') {
      // The clock goes on from where the snapshot left it (a dead worker's last moments are lost).
      this.armTurn(Math.max(0, snap.turnLeftMs));
      this.computerMaybe();
    }
  }

  /** Members: seated players (not the computer) and spectators. */
  get size(): number {
    let n = this.spectators.size;
    for (let s = 0 as SeatNo; s < 2; s++) if (this.seats[s] && s !== this.botSeat) n++;
    return n;
  }

  join(seat: SeatInfo): void {
    if (this.seatOf(seat.id) !== null || this.spectators.has(seat.id)) {
      // Back after a drop, a resume or a restore: it sees the game as it is.
      this.ctx.send(seat.id, this.state());
      return;
    }
    const free: SeatNo | null = this.seats[0] === null ? 0 : this.seats[1] === null ? 1 : null;
    if (free === null || this.status === 'playing') {
      this.spectators.add(seat.id);
    } else {
      this.seats[free] = { id: seat.id, name: seat.name };
      this.wins[free] = seat.score;
      this.rematchAsked = [false, false];
      if (this.seats[1 - free]) this.startGame();
    }
    this.changed();
  }

  leave(playerId: string): void {
    if (this.spectators.delete(playerId)) {
      this.changed();
      return;
    }
    const s = this.seatOf(playerId);
    if (s === null) return;
    const other = (1 - s) as SeatNo;
    if (this.status === 'playing' && this.seats[other]) this.finish(other, 'left');
    this.seats[s] = null;
    this.wins[s] = 0;
    this.rematchAsked = [false, false];
    // The computer plays only against the player who asked for it.
    if (this.botSeat === other) {
      this.seats[other] = null;
      this.wins[other] = 0;
      this.botSeat = null;
    }
    this.changed();
  }

  /** A dropped player keeps its seat, and its clock runs: nothing changes here. */
  setFrozen(): void {}

  message(playerId: string, msg: GameClientMessage): void {
    switch (msg.t) {
      case 'move':
        this.move(playerId, msg.col as number);
        return;
      case 'rematch':
        this.rematch(playerId);
        return;
      case 'computer':
        this.computer(playerId);
        return;
      default:
    }
  }

  snapshot(): FourSnapshot {
    return {
      board: [...this.board],
      seats: [this.seats[0], this.seats[1]],
      turn: this.turn,
      status: this.status,
      winner: this.winner,
      line: [...this.line],
      moves: this.moves,
      rematch: [this.rematchAsked[0], this.rematchAsked[1]],
      wins: [this.wins[0], this.wins[1]],
      starter: this.starter,
      games: this.games,
      turnLeftMs: this.turnLeft(),
      botSeat: this.botSeat,
      reason: this.reason,
    };
  }

  end(): void {
    this.ended = true;
    this.gen++;
  }

  /** The whole game as the wire carries it. */
  state(): FourMsg {
    const holder = (h: Holder | null): [string, string] | null => (h ? [h.id, h.name] : null);
    return {
      t: 'four',
      seats: [holder(this.seats[0]), holder(this.seats[1])],
      board: [...this.board],
      turn: this.turn,
      status: this.status,
      winner: this.winner,
      line: [...this.line],
      turnLeftMs: this.turnLeft(),
      moves: this.moves,
      rematch: [this.rematchAsked[0], this.rematchAsked[1]],
      wins: [this.wins[0], this.wins[1]],
      spectators: this.spectators.size,
      reason: this.reason,
    };
  }

  // --- what players ask ----------------------------------------------------------------------

  private move(playerId: string, col: number): void {
    const s = this.seatOf(playerId);
    if (s === null) return this.refuse(playerId, 'NOT_PLAYING', 'spectators watch; only the two seated players move');
    if (this.status !== 'playing') return this.refuse(playerId, 'NOT_PLAYING', `no game in progress (${this.status})`);
    if (s !== this.turn) return this.refuse(playerId, 'NOT_YOUR_TURN', 'the other seat is to move');
    if (!this.play(s, col)) this.refuse(playerId, 'COLUMN_FULL', `column ${col} is full`);
  }

  private rematch(playerId: string): void {
    const s = this.seatOf(playerId);
    if (s === null) return this.refuse(playerId, 'NOT_PLAYING', 'only the two seated players can ask for a rematch');
    if (this.status === 'playing') return this.refuse(playerId, 'GAME_NOT_OVER', 'the game is still being played');
    if (this.status === 'waiting' || !this.seats[1 - s]) return this.refuse(playerId, 'NOT_PLAYING', 'no finished game with an opponent to play again');
    this.rematchAsked[s] = true;
    if (this.rematchAsked[0] && this.rematchAsked[1]) this.startGame();
    this.changed();
  }

  private computer(playerId: string): void {
    const s = this.seatOf(playerId);
    const other = s === null ? null : ((1 - s) as SeatNo);
    if (other === null || this.seats[other] || this.status === 'playing') {
      return this.refuse(playerId, 'NOT_WAITING', 'the computer plays only a seated player waiting alone');
    }
    this.seats[other] = { id: COMPUTER_ID, name: COMPUTER_ID };
    this.botSeat = other;
    this.wins[other] = 0;
    this.startGame();
    this.changed();
  }

  private refuse(playerId: string, code: FourErrorCode, message: string): void {
    this.ctx.error(playerId, code, message);
  }

  // --- the game ------------------------------------------------------------------------------

  private startGame(): void {
    // The first game is started by seat 0; every later one by the seat that did not start the last.
    if (this.games > 0) this.starter = (1 - this.starter) as SeatNo;
    this.games++;
    this.board = emptyBoard();
    this.moves = 0;
    this.line = [];
    this.winner = null;
    this.reason = null;
    this.rematchAsked = [false, false];
    this.turn = this.starter;
    this.status = 'playing';
    this.gen++;
    this.armTurn(this.settings.turnMs);
    this.computerMaybe();
  }

  /** Drops seat s's disc in col; false (nothing changed) when the column is full. */
  private play(s: SeatNo, col: number): boolean {
    const row = col >= 0 && col < COLS ? landingRow(this.board, col) : -1;
    if (row < 0) return false;
    const idx = row * COLS + col;
    this.board[idx] = (s + 1) as Disc;
    this.moves++;
    this.gen++;
    const line = winningLine(this.board, idx);
    if (line) this.finish(s, 'four', line);
    else if (isFull(this.board)) this.finish(null, null);
    else {
      this.turn = (1 - s) as SeatNo;
      this.armTurn(this.settings.turnMs);
      this.computerMaybe();
    }
    this.changed();
    return true;
  }

  /** The game is over: `winner` null is a draw. Counts it in the room and the world. */
  private finish(winner: SeatNo | null, reason: FourMsg['reason'], line: number[] = []): void {
    this.gen++;
    this.turnTimer?.cancel();
    this.turnTimer = null;
    this.deadline = 0;
    this.status = winner === null ? 'draw' : 'won';
    this.winner = winner;
    this.reason = reason;
    this.line = line;
    // The computer is always ready for another game.
    if (this.botSeat !== null) this.rematchAsked[this.botSeat] = true;
    this.count(FOUR_KEYS.games);
    if (winner === null) {
      this.count(FOUR_KEYS.draws);
      return;
    }
    this.wins[winner]++;
    this.count(winner === 0 ? FOUR_KEYS.winsRed : FOUR_KEYS.winsYellow);
    if (winner === this.botSeat) this.count(FOUR_KEYS.computerWins);
    else this.ctx.scoreChanged(this.seats[winner]!.id, this.wins[winner]);
  }

  private count(key: string): void {
    // A counter the coordinator missed (unreachable, room gone) is lost; the game goes on.
    this.ctx.world.incr(key, 1).catch(() => {});
  }

  private armTurn(ms: number): void {
    this.turnTimer?.cancel();
    this.deadline = Date.now() + ms;
    const gen = this.gen;
    this.turnTimer = this.ctx.timers.after(ms, () => {
      if (gen !== this.gen || this.status !== 'playing') return;
      // Out of time: the seat to move loses.
      this.finish((1 - this.turn) as SeatNo, 'time');
      this.changed();
    });
  }

  private turnLeft(): number {
    return this.status === 'playing' ? Math.max(0, this.deadline - Date.now()) : 0;
  }

  /** When it is the computer's turn: its search runs on the pool; its move shows after botDelayMs. */
  private computerMaybe(): void {
    const seat = this.botSeat;
    if (seat === null || this.status !== 'playing' || this.turn !== seat) return;
    const gen = this.gen;
    const started = Date.now();
    const input = { board: [...this.board], me: (seat + 1) as Disc, depth: this.settings.botDepth };
    this.ctx.pool.run<number>(BOT_TASK, input)
      // The pool refused (busy, too slow): a one-ply answer (win or block in one) still plays on time.
      .catch(() => bestMove({ ...input, depth: 1 }))
      .then((col) => {
        const wait = this.settings.botDelayMs - (Date.now() - started);
        if (wait > 0) this.ctx.timers.after(wait, () => this.computerMoves(gen, seat, col));
        else this.computerMoves(gen, seat, col);
      })
      .catch(() => {});
  }

  private computerMoves(gen: number, seat: SeatNo, col: number): void {
    if (this.ended || gen !== this.gen || this.status !== 'playing' || this.turn !== seat) return;
    if (!this.play(seat, col)) this.play(seat, bestMove({ board: this.board, me: (seat + 1) as Disc, depth: 1 }));
  }

  /** After every change: everyone sees the game, and the coordinator has it (a dead worker loses nothing). */
  private changed(): void {
    this.syncOpen();
    this.ctx.broadcast(this.state());
    this.ctx.saveSnapshot();
  }

  /** Quick-join may bring a player only while a seat is free (two players, or one and the computer, close it). */
  private syncOpen(): void {
    this.ctx.setOpen(this.seats[0] === null || this.seats[1] === null);
  }

  private seatOf(id: string): SeatNo | null {
    if (this.seats[0]?.id === id && this.botSeat !== 0) return 0;
    if (this.seats[1]?.id === id && this.botSeat !== 1) return 1;
    return null;
  }
}
