// Driving the Shoal page the way a player does: through the DOM, the keyboard and the pointer.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors seen on the page. */
  errors: string[];
}

/** A fresh browser context (its own sessionStorage) with one page on the server's `/`. */
export async function openPage(browser: Browser, baseUrl: string, query = ''): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${baseUrl}/${query}`);
  return { page, context, errors };
}

/** Fills the lobby form and joins (or makes) a named room; resolves with the player's id. */
export async function joinRoom(page: Page, name: string, room: string): Promise<string> {
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#join-room');
  await page.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
  return playerId(page);
}

export async function playerId(page: Page): Promise<string> {
  const id = await page.getAttribute('body', 'data-player-id');
  if (!id) throw new Error('the page shows no player id');
  return id;
}

export async function connState(page: Page): Promise<string | null> {
  return page.getAttribute('#status', 'data-state');
}

/** Ids listed in the page's "In this room" panel. */
export async function rosterIds(page: Page): Promise<string[]> {
  return page.$$eval('#roster li[data-id]', (lis) => lis.map((li) => li.getAttribute('data-id') ?? ''));
}

export async function chatLines(page: Page): Promise<string[]> {
  return page.$$eval('#chat-log li', (lis) => lis.map((li) => li.textContent ?? ''));
}

/** Sends a chat line from the keyboard only: Enter to focus the chat, type, Enter to send. */
export async function chatByKeyboard(page: Page, text: string): Promise<void> {
  await page.focus('#arena');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'chat-input');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}
