// The browser client in real headless Chromium against a real server: the page loads and joins,
// the keyboard and the pointer move the player (seen by a second, Node-side client over TCP),
// two pages in one room see each other, chat goes round, and the score and leaderboard follow.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient, type PlayerView } from '../../shared/client/client.js';
import { tcpConnector } from '../../shared/client/tcp-transport.js';
import type { ChatOutMsg } from '../../shared/protocol/messages.js';
import { baseUrl, browserSkipReason, launchBrowser, outputPath, sleep, startServer, until, type TestServer } from './harness.js';
import { chatByKeyboard, chatLines, joinRoom, openPage, rosterIds, type OpenPage } from './page.js';

const skip = browserSkipReason('test/browser/play.test.ts');
const ROOM = 'reef';

describe.skipIf(skip !== null)('browser client: playing', { timeout: 30_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let alice: OpenPage;
  let bob: OpenPage;
  let aliceId = '';
  let bobId = '';
  const nodeClients: ShoalClient[] = [];
  let watcher: ShoalClient;
  const watcherChat: ChatOutMsg[] = [];

  async function nodeClient(name: string, room: string): Promise<ShoalClient> {
    const c = new ShoalClient({ connector: tcpConnector('127.0.0.1', server.port), name, room, autoResume: false });
    nodeClients.push(c);
    await c.connect();
    return c;
  }

  /** Alice as the server sees her, through the watcher's mirror of the room. */
  function aliceOnServer(): PlayerView | undefined {
    return watcher.players.get(aliceId);
  }

  /** Page coordinates of a world point, by the renderer's rule: fit the field, centred, 8 px inset. */
  async function toScreen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
    const box = await page.$eval('#arena', (c) => {
      const r = c.getBoundingClientRect();
      return { left: r.left, top: r.top, w: c.clientWidth, h: c.clientHeight };
    });
    const { w, h } = watcher.world;
    const k = Math.min((box.w - 16) / w, (box.h - 16) / h);
    return { x: box.left + (box.w - w * k) / 2 + x * k, y: box.top + (box.h - h * k) / 2 + y * k };
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of nodeClients) c.close();
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 30_000);

  it('serves the page, which joins a room from the lobby and draws the arena', async () => {
    alice = await openPage(browser, baseUrl(server), '?name=Alice');
    expect(await alice.page.title()).toBe('Shoal');
    expect(await alice.page.inputValue('#name')).toBe('Alice');
    expect(await alice.page.isVisible('#lobby')).toBe(true);

    aliceId = await joinRoom(alice.page, 'Alice', ROOM);
    expect(await alice.page.getAttribute('body', 'data-room')).toBe(ROOM);
    expect(await alice.page.isVisible('#lobby')).toBe(false);
    expect(await alice.page.textContent('#status')).toContain(ROOM);

    // The canvas is painted: the field, the grid, coins and the player give many colours.
    const colours = await alice.page.$eval('#arena', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(4);
    expect(alice.errors).toEqual([]);
  });

  it('moves the player with the keyboard, and the server sees the move', async () => {
    watcher = await nodeClient('watcher', ROOM);
    watcher.on('chat', (m) => watcherChat.push(m));
    const start = await until('alice in the watcher\'s view of the room', () => aliceOnServer());
    const x0 = start.x;
    const y0 = start.y;

    // Go toward the far side so the wall never stops the test.
    const right = x0 < watcher.world.w / 2;
    await alice.page.focus('#arena');
    await alice.page.keyboard.down(right ? 'ArrowRight' : 'ArrowLeft');
    await until('alice to move 60 units along x', () => Math.abs(aliceOnServer()!.x - x0) > 60, 5000);
    await alice.page.keyboard.up(right ? 'ArrowRight' : 'ArrowLeft');
    expect(Math.sign(aliceOnServer()!.x - x0)).toBe(right ? 1 : -1);
    expect(Math.abs(aliceOnServer()!.y - y0)).toBeLessThan(1);

    // Releasing the key stops her.
    await sleep(300);
    const stopped = aliceOnServer()!.x;
    await sleep(400);
    expect(Math.abs(aliceOnServer()!.x - stopped)).toBeLessThan(0.5);

    // WASD works too.
    const down = y0 < watcher.world.h / 2;
    await alice.page.keyboard.down(down ? 'KeyS' : 'KeyW');
    await until('alice to move 60 units along y', () => Math.abs(aliceOnServer()!.y - y0) > 60, 5000);
    await alice.page.keyboard.up(down ? 'KeyS' : 'KeyW');
    expect(Math.sign(aliceOnServer()!.y - y0)).toBe(down ? 1 : -1);
  });

  it('steers with the pointer to a coin, and the score shows on the page', async () => {
    await until('coins in the room', () => watcher.coins.size > 0);
    const me = aliceOnServer()!;
    const coin = [...watcher.coins.values()].sort((a, b) => Math.hypot(a.x - me.x, a.y - me.y) - Math.hypot(b.x - me.x, b.y - me.y))[0]!;
    const target = await toScreen(alice.page, coin.x, coin.y);
    await alice.page.mouse.move(target.x, target.y);
    await alice.page.mouse.down();
    try {
      // At 200 units/s, crossing the whole field takes about 7 s.
      await until('alice to take a coin', () => (aliceOnServer()?.score ?? 0) >= 1, 12_000);
    } finally {
      await alice.page.mouse.up();
    }
    const score = aliceOnServer()!.score;
    await alice.page.waitForFunction((s) => Number(document.getElementById('score')?.textContent) >= s, score, { timeout: 3000 });
    // The world leaderboard (asked for with `top` every few seconds) picks her up.
    await alice.page.waitForFunction(() => document.getElementById('leaderboard')?.textContent?.includes('Alice'), undefined, { timeout: 8000 });
  });

  it('shows two pages in one room to each other', async () => {
    bob = await openPage(browser, baseUrl(server), '?name=Bob');
    bobId = await joinRoom(bob.page, 'Bob', ROOM);
    expect(bobId).not.toBe(aliceId);
    await until('bob in alice\'s room list', async () => (await rosterIds(alice.page)).includes(bobId));
    await until('alice in bob\'s room list', async () => (await rosterIds(bob.page)).includes(aliceId));
    expect(bob.errors).toEqual([]);
  });

  it('sends room chat from the keyboard to the other page and back', async () => {
    await chatByKeyboard(alice.page, 'hello from alice');
    await until('alice\'s line on bob\'s page', async () => (await chatLines(bob.page)).some((l) => l.includes('Alice:') && l.includes('hello from alice')));
    await until('alice\'s own line on her page', async () => (await chatLines(alice.page)).some((l) => l.includes('Alice (you):') && l.includes('hello from alice')));
    await until('the line at the node-side client', () => watcherChat.some((m) => m.name === 'Alice' && m.text === 'hello from alice' && m.scope === 'room'));
    // Focus went back to the arena, so the keyboard moves again.
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('arena');

    await chatByKeyboard(bob.page, 'hi alice');
    await until('bob\'s answer on alice\'s page', async () => (await chatLines(alice.page)).some((l) => l.includes('Bob:') && l.includes('hi alice')));
    // Having heard Bob, Alice's room list shows his name instead of his id.
    await until('bob\'s name in alice\'s room list', async () => (await alice.page.textContent(`#roster li[data-id="${bobId}"]`))?.includes('Bob'));
  });

  it('sends world chat to players in other rooms', async () => {
    const outsider = await nodeClient('outsider', `${ROOM}-far`);
    const heard = outsider.next('chat', (m) => m.text === 'fish are friends', 5000);
    await chatByKeyboard(bob.page, '/w fish are friends');
    const m = await heard;
    expect(m).toMatchObject({ name: 'Bob', from: bobId, scope: 'world' });
    await until('the world line on alice\'s page', async () => (await chatLines(alice.page)).some((l) => l.startsWith('[world]') && l.includes('fish are friends')));
  });

  it('plays on a phone-sized touch screen: the layout fits and a held touch steers', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl(server)}/?name=Tess`);
      const id = await joinRoom(page, 'Tess', ROOM);
      // Nothing sticks out sideways, and the arena gets most of the width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      expect(await page.$eval('#arena', (c) => c.clientWidth)).toBeGreaterThan(300);

      const start = await until('tess in the watcher\'s view', () => watcher.players.get(id));
      const goRight = start.x < watcher.world.w / 2;
      const target = await toScreen(page, goRight ? watcher.world.w - 20 : 20, start.y);
      // Playwright only taps; a held finger goes in through the DevTools protocol.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: target.x, y: target.y }] });
      try {
        await until('tess to swim 60 units toward the finger', () => {
          const p = watcher.players.get(id);
          return p && (goRight ? p.x - start.x : start.x - p.x) > 60;
        }, 5000);
      } finally {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      }
      await page.screenshot({ path: outputPath('browser-phone.png') });
    } finally {
      await context.close();
    }
  });

  it('saves a screenshot of the page in play', async () => {
    await alice.page.waitForTimeout(300);
    const file = outputPath('browser-arena.png');
    await alice.page.screenshot({ path: file });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
