// The page's connection states against a real server: the room picker, resume after a reload
// (token in sessionStorage), leaving, a kick from the operator console, a crash and restart
// (reconnecting, then resumed), and a graceful shutdown.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_CLI, baseUrl, browserSkipReason, launchBrowser, outputPath, startServer, until, type TestServer,
} from './harness.js';
import { chatLines, connState, joinRoom, openPage, playerId, type OpenPage } from './page.js';

const run = promisify(execFile);
const skip = browserSkipReason('test/browser/lifecycle.test.ts');
const hasConsole = fs.existsSync(CONSOLE_CLI);
if (!skip && !hasConsole) {
  console.warn(`\n*** test/browser/lifecycle.test.ts: the kick test is SKIPPED, ${CONSOLE_CLI} does not exist (no operator console built)\n`);
}

const ROOM = 'lagoon';

describe.skipIf(skip !== null)('browser client: connection states', { timeout: 45_000 }, () => {
  let server: TestServer;
  let restarted: TestServer | undefined;
  let browser: Browser;
  let first: OpenPage;
  let second: OpenPage;
  let firstId = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await restarted?.stop();
    await server?.stop();
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }, 40_000);

  it('lists open rooms from /rooms and joins the one picked', async () => {
    first = await openPage(browser, baseUrl(server), '?name=Finn');
    firstId = await joinRoom(first.page, 'Finn', ROOM);

    second = await openPage(browser, baseUrl(server), '?name=Gill');
    const button = second.page.locator(`#rooms button[data-room="${ROOM}"]`);
    await button.waitFor({ timeout: 8000 });
    expect(await button.textContent()).toContain('1/');
    await button.click();
    await second.page.waitForSelector('#status[data-state="joined"]');
    expect(await second.page.getAttribute('body', 'data-room')).toBe(ROOM);
  });

  it('resumes the same player after a reload, by the token kept in sessionStorage', async () => {
    const token = await first.page.evaluate(() => sessionStorage.getItem('shoal.session'));
    expect(token).toContain(ROOM);
    await first.page.reload();
    await first.page.waitForSelector('#status[data-state="joined"]');
    expect(await playerId(first.page)).toBe(firstId);
    expect((await chatLines(first.page)).join('\n')).toContain('Resumed');
  });

  it('leaves the room and forgets the token, so a reload shows the lobby', async () => {
    await second.page.click('#leave');
    await second.page.waitForSelector('#lobby:not([hidden])');
    expect(await connState(second.page)).toBe('idle');
    expect(await second.page.evaluate(() => sessionStorage.getItem('shoal.session'))).toBeNull();
    await second.page.reload();
    await second.page.waitForSelector('#lobby:not([hidden])');
    expect(await second.page.isVisible('#game')).toBe(false);
  });

  it.skipIf(!hasConsole)('shows a server-side kick from the operator console', async () => {
    const kicked = await openPage(browser, baseUrl(server), '?name=Kelp');
    const id = await joinRoom(kicked.page, 'Kelp', ROOM);
    await run(process.execPath, [CONSOLE_CLI, 'kick', id, '--console', server.consoleSocket], { timeout: 10_000 });
    await kicked.page.waitForSelector('#status[data-state="kicked"]', { timeout: 10_000 });
    expect(await kicked.page.isVisible('#overlay')).toBe(true);
    expect(await kicked.page.textContent('#overlay-text')).toMatch(/removed/i);
    await kicked.page.screenshot({ path: outputPath('browser-kicked.png') });
    // A kicked player is not resumed: "Join again" makes a new one.
    await kicked.page.click('#rejoin');
    await kicked.page.waitForSelector('#status[data-state="joined"]');
    expect(await playerId(kicked.page)).not.toBe(id);
    await kicked.context.close();
  });

  it('shows "reconnecting" when the server dies, and resumes the player when it is back', async () => {
    const port = server.port;
    await server.kill();
    await first.page.waitForSelector('#status[data-state="reconnecting"]', { timeout: 10_000 });
    restarted = await startServer({ port, dataDir: server.dataDir });
    await first.page.waitForSelector('#status[data-state="joined"]', { timeout: 20_000 });
    expect(await playerId(first.page)).toBe(firstId);
  });

  it('shows "server shut down" on a graceful shutdown', async () => {
    const live = restarted ?? server;
    await until('the page to be in play', async () => (await connState(first.page)) === 'joined');
    await live.stop();
    await first.page.waitForSelector('#status[data-state="shutdown"]', { timeout: 15_000 });
    expect(await first.page.textContent('#overlay-text')).toMatch(/shut down/i);
    // With the server gone, refused connections are expected console noise; exceptions are not.
    expect(first.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
