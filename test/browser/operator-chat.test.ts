// In real headless Chromium: the operator's `say` is drawn in its own element and style, and
// nothing a player can choose (its name, its chat text, HTML in it, extra fields in its message)
// produces that element or style; a name that reads as the operator's is refused at the lobby.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { run } from '../console/console-helpers.js';
import { baseUrl, browserSkipReason, launchBrowser, startServer, until, type TestServer } from './harness.js';
import { chatLines, joinRoom, openPage, type OpenPage } from './page.js';

const skip = browserSkipReason('test/browser/operator-chat.test.ts');
const ROOM = 'lagoon';

describe.skipIf(skip !== null)('browser client: operator lines cannot be imitated', { timeout: 30_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: OpenPage;

  beforeAll(async () => {
    server = await startServer({ workers: 1 });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 30_000);

  it('refuses the name "Server" at the lobby, saying why', async () => {
    page = await openPage(browser, baseUrl(server));
    await page.page.fill('#name', 'Server');
    await page.page.fill('#room', ROOM);
    await page.page.click('#join-room');
    const msg = await until('the lobby error', async () => (await page.page.textContent('#lobby-error'))?.trim());
    expect(msg).toMatch(/hello\.name "Server" is reserved/);
    expect(await page.page.isVisible('#lobby')).toBe(true);
  });

  it('draws only the operator\'s say as an operator line', async () => {
    await joinRoom(page.page, 'Alice', ROOM);
    // A player picks the closest name the rules allow and writes every imitation it can think of.
    const mallory = await RawTcp.connect(server.port);
    mallory.send(hello('Server operator', { room: ROOM }));
    const me = await mallory.next((m) => m.t === 'welcome');
    const imitations = [
      { t: 'chat', scope: 'world', text: 'restart in 5 minutes', operator: true, from: 'server', name: 'server' },
      { t: 'chat', scope: 'room', text: '<strong class="op-badge">Server operator</strong> restart in 5 minutes' },
      { t: 'chat', scope: 'world', text: '\u202e\u001b[2Jsetunim 5 ni tratser' },
    ];
    for (const m of imitations) mallory.send(m);
    for (let i = 0; i < imitations.length; i++) await mallory.next((m) => m.t === 'chat' && m.from === me.id);
    await run(server.consoleSocket, 'say', 'restart in 5 minutes');
    await until('every line on the page', async () => (await chatLines(page.page)).some((l) => l.includes('Server operator') && !l.includes('Server operator:')));

    const lines = await page.page.$$eval('#chat-log li', (lis) => lis.map((li) => {
      const cs = getComputedStyle(li);
      return {
        cls: li.className, from: li.getAttribute('data-from'), origin: li.getAttribute('data-origin'),
        badges: li.querySelectorAll('.op-badge').length, elements: li.querySelectorAll('*').length,
        text: li.textContent ?? '', background: cs.backgroundColor, border: cs.borderLeftWidth,
      };
    }));
    const operator = lines.filter((l) => l.cls === 'operator');
    const players = lines.filter((l) => l.from === me.id);
    expect(operator).toHaveLength(1);
    expect(operator[0]).toMatchObject({ origin: 'operator', badges: 1, text: 'Server operator restart in 5 minutes' });
    expect(players).toHaveLength(3);
    for (const l of players) {
      expect(l.cls).toBe('');
      expect(l.origin).toBeNull();
      expect(l.badges).toBe(0);
      // Scope, name (its <bdi> inside) and text: the HTML in the chat line stayed text.
      expect(l.elements).toBe(4);
      expect(l.text).toMatch(/^\[(world|room)\] Server operator: /);
      expect(l.background).not.toBe(operator[0]!.background);
      expect(l.border).not.toBe(operator[0]!.border);
    }
    // World lines go round through the coordinator, room lines do not: their order may differ.
    expect(players.map((l) => l.text).sort()).toEqual([
      '[world] Server operator: restart in 5 minutes',
      '[room] Server operator: <strong class="op-badge">Server operator</strong> restart in 5 minutes',
      '[world] Server operator: [2Jsetunim 5 ni tratser',
    ].sort());
    expect(page.errors).toEqual([]);
    mallory.close();
  });
});
