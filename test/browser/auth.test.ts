// The browser client on a server with accounts (--auth jwt): a sign-in token in the page URL
// (#auth= or ?auth=) or pasted in the lobby goes in hello, and the player is seated as the
// token's account under the token's name; without a token, or with an expired one, the lobby
// says so in words.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../console/console-helpers.js';
import { AUDIENCE, ISSUER, sign } from '../auth/jwt-keys.js';
import { baseUrl, browserSkipReason, launchBrowser, startServer, until, type TestServer } from './harness.js';
import { openPage, playerId } from './page.js';

const skip = browserSkipReason('test/browser/auth.test.ts');
const SECRET = 'browser-test-secret-of-at-least-32-bytes';
const KEY = { secret: SECRET };

describe.skipIf(skip !== null)('browser client with accounts', { timeout: 45_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({
      workers: 1,
      args: ['--auth', 'jwt', '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE],
      env: { SHOAL_JWT_SECRET: SECRET },
    });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }, 40_000);

  /** The name the server seated player `id` under (the console's player list). */
  async function seatedName(id: string): Promise<string | undefined> {
    const rows = (await run(server.consoleSocket, 'players')) as Array<{ id: string; name: string }>;
    return rows.find((r) => r.id === id)?.name;
  }

  async function quickJoin(page: import('playwright-core').Page): Promise<void> {
    await page.click('#quick-join');
  }

  for (const where of ['#auth=', '?auth='] as const) {
    it(`sends the token from the page URL (${where}) in hello and plays as its account`, async () => {
      const token = await sign(KEY, { sub: `url-user-${where[0]}`, claims: { name: `Url${where === '#auth=' ? 'Hash' : 'Query'}` } });
      const query = where === '#auth=' ? `?name=typed#auth=${token}` : `?name=typed&auth=${token}`;
      const { page, context, errors } = await openPage(browser, baseUrl(server), query);
      try {
        await quickJoin(page);
        await page.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
        const claimName = where === '#auth=' ? 'UrlHash' : 'UrlQuery';
        expect(await seatedName(await playerId(page))).toBe(claimName);
        // The page shows the player under the name the server seated it with, not the typed one.
        await until('own name in the roster', async () => ((await page.textContent('#roster')) ?? '').includes(`${claimName} (you)`));
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('says a sign-in is needed without a token, then plays with a token pasted in the lobby', async () => {
    const { page, context, errors } = await openPage(browser, baseUrl(server), '?name=Typist');
    try {
      await quickJoin(page);
      await until('the sign-in message', async () => /needs you to sign in/.test((await page.textContent('#lobby-error')) ?? ''));
      await page.fill('#auth', await sign(KEY, { sub: 'lobby-user', claims: { name: 'LobbyAda' } }));
      await quickJoin(page);
      await page.waitForSelector('#status[data-state="joined"]', { timeout: 10_000 });
      expect(await seatedName(await playerId(page))).toBe('LobbyAda');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says so when the token has expired, or is not accepted', async () => {
    const { page, context } = await openPage(browser, baseUrl(server), '?name=Late');
    try {
      await page.fill('#auth', await sign(KEY, { sub: 'late-user', expIn: -3600 }));
      await quickJoin(page);
      await until('the expiry message', async () => /sign-in token has expired/.test((await page.textContent('#lobby-error')) ?? ''));
      await page.fill('#auth', await sign(KEY, { sub: 'late-user', aud: 'someone-else' }));
      await quickJoin(page);
      await until('the refusal message', async () => /sign-in token was not accepted/.test((await page.textContent('#lobby-error')) ?? ''));
      expect(await page.getAttribute('#status', 'data-state')).not.toBe('joined');
    } finally {
      await context.close();
    }
  });
});
