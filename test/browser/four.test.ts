// Four in a row in real headless Chromium against a real server: two pages pick the game on the
// lobby, are paired by quick join and play to a win (one page by clicks, the other by keys), ask
// for a rematch (the other colour starts) and play it to a draw while a third page watches by
// room id; refused moves are shown; a page plays the computer to the end, resuming after a reload
// mid-game; and the picker is remembered and works from the keyboard.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAW, WIN_BOTTOM_ROW } from '../helpers/four-sequences.js';
import { baseUrl, browserSkipReason, launchBrowser, outputPath, startServer, until, type TestServer } from './harness.js';
import { connState, openPage, playerId, type OpenPage } from './page.js';

const skip = browserSkipReason('test/browser/four.test.ts');

/** The board as the page shows it: disc (0, 1, 2) by index (row * 7 + col, row 0 the bottom). */
async function shownBoard(page: Page): Promise<number[]> {
  const cells = await page.$$eval('#four-board .four-cell', (els) =>
    els.map((e) => [Number(e.getAttribute('data-cell')), Number(e.getAttribute('data-disc'))] as [number, number]));
  const board = new Array<number>(42).fill(-1);
  for (const [i, d] of cells) board[i] = d;
  return board;
}

/** The board after `moves` (a sequence's prefix), the first move by disc `firstDisc`. */
function expectedBoard(moves: readonly number[], firstDisc: 1 | 2): number[] {
  const board = new Array<number>(42).fill(0);
  const height = new Array<number>(7).fill(0);
  moves.forEach((col, i) => {
    board[height[col]! * 7 + col] = i % 2 === 0 ? firstDisc : 3 - firstDisc;
    height[col]!++;
  });
  return board;
}

async function winLine(page: Page): Promise<number[]> {
  return (await page.$$eval('#four-board .four-cell.win', (els) => els.map((e) => Number(e.getAttribute('data-cell'))))).sort((a, b) => a - b);
}

async function phase(page: Page): Promise<string | null> {
  return page.getAttribute('#four-status', 'data-phase');
}

async function waitPhase(page: Page, ...phases: string[]): Promise<void> {
  await until(`phase ${phases.join(' or ')} (now ${await phase(page)})`, async () => phases.includes((await phase(page)) ?? ''), 15_000);
}

async function waitMoves(page: Page, n: number): Promise<void> {
  await page.waitForSelector(`#four-board[data-moves="${n}"]`, { timeout: 15_000 });
}

/** This page's seat (0 or 1) from the seat list, or null for a spectator. */
async function mySeat(page: Page): Promise<number | null> {
  const s = await page.getAttribute('#four-seats li.me', 'data-seat', { timeout: 1000 }).catch(() => null);
  return s === null ? null : Number(s);
}

/** Picks four in a row on the lobby and quick-joins; resolves when the view shows the game. */
async function quickJoinFour(page: Page, name: string): Promise<void> {
  await page.fill('#name', name);
  await page.check('input[name="game"][value="four"]');
  await page.click('#quick-join');
  await page.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
  await page.waitForSelector('#four:not([hidden])');
}

async function joinFourRoom(page: Page, name: string, room: string): Promise<void> {
  await page.fill('#name', name);
  await page.check('input[name="game"][value="four"]');
  await page.fill('#room', room);
  await page.click('#join-room');
  await page.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
  await page.waitForSelector('#four:not([hidden])');
}

/**
 * A move by pointer: a click on the column. `anyway`: a column the page marks as not playable
 * (aria-disabled: full, or the page is a spectator's) is clicked all the same, as a person can.
 */
async function clickColumn(page: Page, col: number, anyway = false): Promise<void> {
  await page.click(`#four-board [data-col="${col}"]`, { force: anyway });
}

/**
 * A move by keyboard. `how` 'digit': the column's number key; 'arrows': ← → to the column, then
 * Enter or (`space`) Space.
 */
async function keyColumn(page: Page, col: number, how: 'digit' | 'arrows' | 'space'): Promise<void> {
  await page.focus('#four-board');
  if (how === 'digit') {
    await page.keyboard.press(String(col + 1));
    return;
  }
  let cursor = Number(await page.getAttribute('#four-board', 'data-cursor'));
  while (cursor !== col) {
    await page.keyboard.press(cursor < col ? 'ArrowRight' : 'ArrowLeft');
    cursor += cursor < col ? 1 : -1;
  }
  await page.waitForSelector(`#four-board[data-cursor="${col}"]`);
  await page.keyboard.press(how === 'space' ? 'Space' : 'Enter');
}

describe.skipIf(skip !== null)('browser client: four in a row', { timeout: 120_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let ann: OpenPage;
  let bob: OpenPage;
  let room = '';
  /** The page in seat 0 (red) and the one in seat 1 (yellow). */
  let red: Page;
  let yellow: Page;

  beforeAll(async () => {
    // A turn clock far longer than any wait here: a slow machine must never lose a game on time.
    server = await startServer({ args: ['--four-turn-ms', '600000'] });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 30_000);

  it('pairs two pages that pick four in a row, and they play to a win: one by clicks, one by keys', async () => {
    ann = await openPage(browser, baseUrl(server), '?name=Ann');
    const sockets: string[] = [];
    ann.page.on('websocket', (ws) => sockets.push(ws.url()));
    await quickJoinFour(ann.page, 'Ann');
    // The game goes in the WebSocket's query too, so the server can route a quick-join by it.
    expect(sockets.map((u) => new URL(u).searchParams.get('game'))).toEqual(['four']);
    await waitPhase(ann.page, 'waiting');
    expect(await ann.page.textContent('#four-status')).toMatch(/waiting for an opponent/i);
    expect(await ann.page.isVisible('#four-computer')).toBe(true);
    expect(await ann.page.isVisible('#arena')).toBe(false);
    room = (await ann.page.getAttribute('body', 'data-room'))!;

    bob = await openPage(browser, baseUrl(server), '?name=Bob');
    await quickJoinFour(bob.page, 'Bob');
    expect(await bob.page.getAttribute('body', 'data-room')).toBe(room);
    await waitPhase(ann.page, 'your-turn', 'their-turn');
    await waitPhase(bob.page, 'your-turn', 'their-turn');
    expect(await ann.page.isVisible('#four-computer')).toBe(false);

    // Ann waited first: she has seat 0, which starts the room's first game.
    expect(await mySeat(ann.page)).toBe(0);
    expect(await mySeat(bob.page)).toBe(1);
    red = ann.page;
    yellow = bob.page;
    expect(await phase(red)).toBe('your-turn');
    expect(await phase(yellow)).toBe('their-turn');
    expect(await yellow.textContent('#four-seats li.me')).toContain('Bob');
    expect(await yellow.textContent('#four-seats li.me')).toContain('(you)');
    expect(await yellow.textContent('#four-seats li[data-seat="0"]')).toContain('Ann');
    expect(await red.textContent('#four-timer')).toMatch(/\d+ s left for you/);

    // Out of turn, the server refuses, and the page says so.
    await clickColumn(yellow, 0);
    await yellow.waitForSelector('#four-error[data-code="NOT_YOUR_TURN"]', { timeout: 5000 });
    expect(await yellow.textContent('#four-error')).toMatch(/not your turn/i);

    const seq = WIN_BOTTOM_ROW.moves;
    const keyWays = ['digit', 'arrows', 'space'] as const;
    for (let i = 0; i < seq.length; i++) {
      const mover = i % 2 === 0 ? red : yellow;
      await waitPhase(mover, 'your-turn');
      if (mover === red) await clickColumn(red, seq[i]!);
      else await keyColumn(yellow, seq[i]!, keyWays[((i - 1) / 2) % keyWays.length]!);
      await waitMoves(red, i + 1);
      await waitMoves(yellow, i + 1);
      // Both pages show the disc where the rules put it.
      if (i === 0) {
        // Row 0 is the bottom row: the first disc sits at the foot of its column, on screen too.
        const y = async (cell: number) => (await red.locator(`#four-board [data-cell="${cell}"]`).boundingBox())!.y;
        expect(await y(seq[0]!)).toBeGreaterThan(await y(seq[0]! + 7));
        expect(await y(seq[0]! + 7)).toBeGreaterThan(await y(seq[0]! + 35));
      }
      const want = expectedBoard(seq.slice(0, i + 1), 1);
      expect(await shownBoard(red)).toEqual(want);
      expect(await shownBoard(yellow)).toEqual(want);
    }

    await waitPhase(red, 'won');
    await waitPhase(yellow, 'lost');
    expect(await red.textContent('#four-status')).toMatch(/you won/i);
    expect(await yellow.textContent('#four-status')).toMatch(/Ann won/);
    expect(await winLine(red)).toEqual(WIN_BOTTOM_ROW.line);
    expect(await winLine(yellow)).toEqual(WIN_BOTTOM_ROW.line);
    expect(await red.textContent('#four-seats li[data-seat="0"] .wins')).toBe('1 win');
    expect(await red.isVisible('#four-rematch')).toBe(true);
    expect(await yellow.isVisible('#four-rematch')).toBe(true);
    expect(await red.textContent('#four-timer')).toBe('');

    // Chat is a click away, and Esc from it goes back to the board.
    await red.click('#chat-input');
    await red.keyboard.press('Escape');
    expect(await red.evaluate(() => document.activeElement?.id)).toBe('four-board');

    // No game in play: a move is refused with NOT_PLAYING.
    await keyColumn(yellow, 0, 'digit');
    await yellow.waitForSelector('#four-error[data-code="NOT_PLAYING"]', { timeout: 5000 });
    await red.screenshot({ path: outputPath('browser-four-won.png') });
    expect(ann.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it('plays a rematch (the other colour starts) to a draw, watched by a spectator who cannot move', async () => {
    const watcher = await openPage(browser, baseUrl(server), '?name=Wes');
    await joinFourRoom(watcher.page, 'Wes', room);
    const w = watcher.page;
    await waitPhase(w, 'finished');
    expect(await mySeat(w)).toBeNull();
    expect(await shownBoard(w)).toEqual(expectedBoard(WIN_BOTTOM_ROW.moves, 1));
    expect(await w.isVisible('#four-rematch')).toBe(false);
    expect(await w.isVisible('#four-computer')).toBe(false);
    await red.waitForSelector('#four-seats li.watching', { timeout: 5000 });
    expect(await red.textContent('#four-seats li.watching')).toBe('1 watching');

    // One asks: the other page sees it; both asked: a new game, started by yellow this time.
    await yellow.click('#four-rematch');
    await until('yellow\'s request on red\'s page', async () => (await red.textContent('#four-status'))?.includes('Bob wants a rematch'));
    expect(await yellow.isDisabled('#four-rematch')).toBe(true);
    await red.click('#four-rematch');
    await waitMoves(red, 0);
    await waitPhase(yellow, 'your-turn');
    await waitPhase(red, 'their-turn');
    await waitPhase(w, 'watching');
    expect(await red.isVisible('#four-rematch')).toBe(false);
    expect(await shownBoard(w)).toEqual(new Array(42).fill(0));

    const seq = DRAW.moves;
    let triedFull = false;
    for (let i = 0; i < seq.length; i++) {
      const mover = i % 2 === 0 ? yellow : red;
      await waitPhase(mover, 'your-turn');
      // Once a column is full, a move there is refused with COLUMN_FULL (and the game goes on).
      const board = expectedBoard(seq.slice(0, i), 2);
      const full = [0, 1, 2, 3, 4, 5, 6].find((c) => board[35 + c] !== 0);
      if (!triedFull && full !== undefined && mover === red) {
        expect(await red.getAttribute(`#four-board [data-col="${full}"]`, 'aria-disabled')).toBe('true');
        await clickColumn(red, full, true);
        await red.waitForSelector('#four-error[data-code="COLUMN_FULL"]', { timeout: 5000 });
        expect(await phase(red)).toBe('your-turn');
        triedFull = true;
      }
      // Here yellow clicks and red uses keys.
      if (mover === yellow) await clickColumn(yellow, seq[i]!);
      else await keyColumn(red, seq[i]!, i % 4 === 1 ? 'arrows' : 'digit');
      await waitMoves(w, i + 1);
      // The spectator sees each move as it is made.
      expect(await shownBoard(w)).toEqual(expectedBoard(seq.slice(0, i + 1), 2));
      if (i === 10) {
        // A spectator's click or key sends nothing: the board stays as it is.
        expect(await w.getAttribute('#four-board [data-col="3"]', 'aria-disabled')).toBe('true');
        await clickColumn(w, 3, true);
        await w.waitForSelector('#four-error[data-code="SPECTATOR"]', { timeout: 5000 });
        await keyColumn(w, 3, 'digit');
      }
    }
    expect(triedFull).toBe(true);
    await waitPhase(red, 'draw');
    await waitPhase(yellow, 'draw');
    await waitPhase(w, 'draw');
    expect(await shownBoard(red)).toEqual(expectedBoard(seq, 2));
    expect(await shownBoard(yellow)).toEqual(expectedBoard(seq, 2));
    expect(await winLine(w)).toEqual([]);
    expect(await red.textContent('#four-status')).toMatch(/draw/i);
    expect(await red.textContent('#four-seats li[data-seat="0"] .wins')).toBe('1 win');
    expect(await red.textContent('#four-seats li[data-seat="1"] .wins')).toBe('0 wins');
    await w.screenshot({ path: outputPath('browser-four-draw.png') });
    expect(watcher.errors).toEqual([]);
    await watcher.context.close();

    // Bob leaves: Ann is told, and offered the computer instead of a rematch.
    await yellow.click('#leave');
    await yellow.waitForSelector('#lobby:not([hidden])');
    await until('bob gone from ann\'s seats', async () => (await red.textContent('#four-status'))?.includes('Your opponent left'));
    expect(await red.isVisible('#four-rematch')).toBe(false);
    await red.click('#four-computer');
    await waitPhase(red, 'your-turn', 'their-turn');
    expect(await red.textContent('#four-seats li[data-seat="1"]')).toContain('Computer');
  });

  it('plays against the computer until the game ends, resuming after a reload mid-game', async () => {
    const solo = await openPage(browser, baseUrl(server), '?name=Sol');
    const p = solo.page;
    await joinFourRoom(p, 'Sol', 'four-vs-computer');
    await waitPhase(p, 'waiting');
    const id = await playerId(p);
    await p.click('#four-computer');
    await waitPhase(p, 'your-turn');
    expect(await p.textContent('#four-seats li[data-seat="1"]')).toContain('Computer');

    // Sol drops in the first column with room, left to right, by keys and clicks in turn.
    let reloaded = false;
    for (let turn = 0; turn < 21; turn++) {
      await waitPhase(p, 'your-turn', 'won', 'lost', 'draw');
      const now = await phase(p);
      if (now !== 'your-turn') break;
      const board = await shownBoard(p);
      const col = [0, 1, 2, 3, 4, 5, 6].find((c) => board[35 + c] === 0)!;
      const before = Number(await p.getAttribute('#four-board', 'data-moves'));
      if (turn % 2 === 0) await clickColumn(p, col);
      else await keyColumn(p, col, 'digit');
      // The computer answers (its search runs on the server's thread pool).
      await until('the computer to answer', async () => {
        const n = Number(await p.getAttribute('#four-board', 'data-moves'));
        return n >= before + 2 || ['won', 'lost', 'draw'].includes((await phase(p)) ?? '');
      }, 15_000);

      if (!reloaded && turn === 1) {
        // A reload mid-game resumes the same player, and the board comes back from the server.
        const shown = await shownBoard(p);
        await p.reload();
        await p.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
        expect(await playerId(p)).toBe(id);
        await until('the board redrawn after the reload', async () => JSON.stringify(await shownBoard(p)) === JSON.stringify(shown));
        expect(await mySeat(p)).toBe(0);
        reloaded = true;
      }
    }
    expect(reloaded).toBe(true);
    await waitPhase(p, 'won', 'lost', 'draw');
    // The computer is always ready for another game: the page says so and offers the rematch.
    expect(await p.isVisible('#four-rematch')).toBe(true);
    if ((await phase(p)) === 'lost') expect(await winLine(p)).toHaveLength(4);
    await p.screenshot({ path: outputPath('browser-four-computer.png') });
    expect(solo.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await solo.context.close();
  });

  it('remembers the game picked for the next visit, the picker works from the keyboard, and the arena still plays', async () => {
    // Ann picked four in a row: her next visit (same browser profile) starts with it picked.
    const again = await ann.context.newPage();
    // A new tab has its own sessionStorage (no seat to resume): it opens on the lobby.
    await again.goto(`${baseUrl(server)}/`);
    await again.waitForSelector('#lobby:not([hidden])');
    expect(await again.isChecked('input[name="game"][value="four"]')).toBe(true);

    // The address may pick the game.
    const linked = await openPage(browser, baseUrl(server), '?name=Lin&game=four');
    expect(await linked.page.isChecked('input[name="game"][value="four"]')).toBe(true);
    await linked.context.close();

    // A fresh visitor starts on the arena; arrow keys move through the picker.
    const fresh = await openPage(browser, baseUrl(server), '?name=Kim');
    const f = fresh.page;
    expect(await f.isChecked('input[name="game"][value="arena"]')).toBe(true);
    await f.focus('input[name="game"][value="arena"]');
    await f.keyboard.press('ArrowDown');
    expect(await f.isChecked('input[name="game"][value="four"]')).toBe(true);
    await f.keyboard.press('ArrowUp');
    expect(await f.isChecked('input[name="game"][value="arena"]')).toBe(true);

    // Arena picked: a new room is made for the arena, and the page shows the arena, not the board.
    await f.fill('#name', 'Kim');
    await f.fill('#room', 'arena-after-four');
    await f.click('#join-room');
    await f.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
    expect(await connState(f)).toBe('joined');
    expect(await f.isVisible('#arena')).toBe(true);
    expect(await f.isVisible('#four')).toBe(false);
    expect(await f.isVisible('#roster-panel')).toBe(true);
    expect(await f.isVisible('#score-box')).toBe(true);
    expect(await f.evaluate(() => JSON.parse(sessionStorage.getItem('shoal.session') ?? '{}').game)).toBe('arena');
    expect(fresh.errors).toEqual([]);
    await fresh.context.close();
  });
});
