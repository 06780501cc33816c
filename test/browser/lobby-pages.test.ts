// The lobby shows the room list a page at a time (the server's /rooms page), with Previous and
// Next, rather than drawing every room on the server.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { baseUrl, browserSkipReason, launchBrowser, startServer, until, type TestServer } from './harness.js';
import { openPage } from './page.js';

const skip = browserSkipReason('test/browser/lobby-pages.test.ts');
const PAGE = 3;

describe.skipIf(skip !== null)('browser lobby: room list pages', { timeout: 45_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const seated: RawTcp[] = [];

  beforeAll(async () => {
    server = await startServer({ workers: 1, args: ['--rooms-page-size', String(PAGE)] });
    browser = await launchBrowser();
    for (let i = 0; i < 7; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`p${i}`, { room: `pool-${i}` }));
      await c.next((m) => m.t === 'welcome');
      seated.push(c);
    }
  }, 60_000);

  afterAll(async () => {
    for (const c of seated) c.close();
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 40_000);

  it('pages through the rooms with Previous and Next, a server page at a time', async () => {
    const { page } = await openPage(browser, baseUrl(server), '?name=Pager');
    const buttons = page.locator('#rooms button[data-room]');
    const label = page.locator('#rooms-page');
    const shown = async () => (await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-room')))).sort();

    await until('first page', async () => (await label.textContent()) === '1-3 of 7');
    expect(await page.locator('#rooms-pager').isVisible()).toBe(true);
    expect(await shown()).toEqual(['pool-0', 'pool-1', 'pool-2']);
    expect(await page.locator('#rooms-prev').isDisabled()).toBe(true);

    await page.click('#rooms-next');
    await until('second page', async () => (await label.textContent()) === '4-6 of 7');
    expect(await shown()).toEqual(['pool-3', 'pool-4', 'pool-5']);

    await page.click('#rooms-next');
    await until('last page', async () => (await label.textContent()) === '7-7 of 7');
    expect(await shown()).toEqual(['pool-6']);
    expect(await page.locator('#rooms-next').isDisabled()).toBe(true);

    await page.click('#rooms-prev');
    await until('back a page', async () => (await label.textContent()) === '4-6 of 7');
    expect(await shown()).toEqual(['pool-3', 'pool-4', 'pool-5']);
  });
});
