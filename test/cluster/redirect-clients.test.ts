// A player sent to the wrong host gets to the right one by itself: two hosts (127.0.0.2 and
// 127.0.0.3, each a whole Shoal with its own port and data directory) share one world on a real
// redis-server; the room runs on host B; players connect to host A, are answered REDIRECT, and
// their client — the shared client library over TCP and over WebSocket, and the browser client in
// real Chromium loaded from host A — says the same hello on B and plays there (score goes up).
// A drop (and a page reload) is resumed on B directly, without asking A again; a token said on A
// (its client forgot where it played) is sent to B and resumes there.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFaults, type ShoalClient } from '../../shared/client/client.js';
import { browserSkipReason, launchBrowser } from '../browser/harness.js';
import { chatLines, openPage, type OpenPage } from '../browser/page.js';
import { collect } from '../helpers/play.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

const ROOM = 'harbour';
const skipBrowser = browserSkipReason('test/cluster/redirect-clients.test.ts');

let redis: TestRedis;
let A: TestServer;
let B: TestServer;
/** A player on B who made the room and watches it: what it sees is what B runs. */
let anchor: ShoalClient;
const clients: ShoalClient[] = [];
const addr = (s: TestServer) => `${s.host}:${s.port}`;

/** REDIRECT errors host `s` has sent (its /metrics, summed over its workers). */
async function redirectsSent(s: TestServer): Promise<number> {
  const text = await (await fetch(`http://${addr(s)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('shoal_errors_sent_total{') && line.includes('code="REDIRECT"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

function playerOnA(name: string, transport: 'tcp' | 'ws'): ShoalClient {
  const c = A.client({ name, room: ROOM, transport, backoffMinMs: 50 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
  const args = ['--store', redis.url, '--host-ttl-ms', '1500'];
  [A, B] = await Promise.all([
    startServer({ host: '127.0.0.2', workers: 1, args }),
    startServer({ host: '127.0.0.3', workers: 1, args }),
  ]);
  anchor = B.client({ name: 'anchor', room: ROOM });
  clients.push(anchor);
  await anchor.connect();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([A?.stop(), B?.stop()]);
  await redis?.stop();
}, 60_000);

describe.each(['tcp', 'ws'] as const)('the shared client library over %s', (transport) => {
  it('connects to A, is sent to B, plays there, and resumes on B after a drop', async () => {
    const c = playerOnA(`${transport}-player`, transport);
    const sentTo: string[] = [];
    c.on('redirect', (to) => sentTo.push(to));
    const before = await redirectsSent(A);
    const w = await c.connect();
    expect(w.room).toBe(ROOM);
    expect(sentTo).toEqual([addr(B)]);
    expect(c.address).toBe(addr(B));
    expect(await redirectsSent(A)).toBe(before + 1);

    // It plays in B's room: B's player sees it, and its score goes up there.
    await until(() => anchor.players.get(c.id), 10_000, 'the player in B\'s room');
    const score = await collect(c, 1, 30_000);
    expect(score).toBeGreaterThanOrEqual(1);
    await until(() => (anchor.players.get(c.id)?.score ?? 0) >= score, 10_000, 'B to show the score');

    // A drop is resumed on B, where it last played: A is not asked again.
    clientFaults.drop(c);
    await until(() => c.reconnects === 1 && c.status === 'joined', 20_000, 'resumed');
    expect(c.id).toBe(w.id);
    expect(c.address).toBe(addr(B));
    expect(await redirectsSent(A)).toBe(before + 1);
    expect((await c.fullState(10_000)).players.find((p) => p[0] === c.id)?.[3]).toBeGreaterThanOrEqual(score);
  });
});

describe('a resume at the wrong host', () => {
  it('a token said on A, whose room runs on B, is sent to B and resumes the same player with its score', async () => {
    const first = B.client({ name: 'mover', room: ROOM, autoResume: false });
    clients.push(first);
    const w = await first.connect();
    const score = await collect(first, 1, 30_000);
    // The connection drops for good (a new device, a lost tab): the seat waits out its grace on B.
    clientFaults.drop(first);
    const again = A.client({ name: 'mover', room: ROOM, token: w.token });
    clients.push(again);
    const w2 = await again.connect();
    expect(w2).toMatchObject({ id: w.id, room: ROOM, resumed: true });
    expect(again.address).toBe(addr(B));
    expect((await again.fullState(10_000)).players.find((p) => p[0] === w.id)?.[3]).toBeGreaterThanOrEqual(score);
  });
});

describe('a quick-join sent to another host', () => {
  it('takes the free seat there: the same hello (no room, game four) said again on B', async () => {
    const r = redis.client();
    const waiting = B.client({ name: 'waiting', game: 'four' });
    clients.push(waiting);
    const wb = await waiting.connect();
    await until(async () => (await r.hget('shoal:open:four', wb.room)) !== null, 10_000, 'B\'s four room offered');
    const c = A.client({ name: 'joiner', game: 'four' });
    clients.push(c);
    const w = await c.connect();
    expect(w.room).toBe(wb.room);
    expect(c.address).toBe(addr(B));
  });
});

describe.skipIf(skipBrowser !== null)('the browser client in Chromium', () => {
  let browser: Browser;
  let cora: OpenPage;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
  });

  /** Page coordinates of a world point, by the renderer's rule: fit the field, centred, 8 px inset. */
  async function toScreen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
    const box = await page.$eval('#arena', (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, w: el.clientWidth, h: el.clientHeight };
    });
    const { w, h } = anchor.world;
    const k = Math.min((box.w - 16) / w, (box.h - 16) / h);
    return { x: box.left + (box.w - w * k) / 2 + x * k, y: box.top + (box.h - h * k) / 2 + y * k };
  }

  it('a page loaded from A joins the room, plays on B, shows B as its host, and scores', async () => {
    // With --store redis the page may open its WebSocket on another host (file store: 'self' only).
    const csp = (await fetch(`http://${addr(A)}/`)).headers.get('content-security-policy');
    expect(csp).toContain("connect-src 'self' ws: wss:;");
    cora = await openPage(browser, `http://${addr(A)}`, '?name=Cora');
    await cora.page.fill('#room', ROOM);
    await cora.page.click('#join-room');
    await cora.page.waitForSelector('#status[data-state="joined"]', { timeout: 20_000 });
    const id = (await cora.page.getAttribute('body', 'data-player-id'))!;
    expect(await cora.page.getAttribute('body', 'data-room')).toBe(ROOM);
    expect(await cora.page.getAttribute('body', 'data-host')).toBe(addr(B));
    expect(await cora.page.textContent('#status')).toContain(`host ${addr(B)}`);
    expect(await chatLines(cora.page)).toContain(`The room runs on host ${addr(B)}: going there.`);
    // The page's own address is still A: only its WebSocket went to B.
    expect(new URL(cora.page.url()).host).toBe(addr(A));
    await until(() => anchor.players.get(id), 10_000, 'Cora in B\'s room');

    // Steer with the pointer at the nearest coin (again, if another player takes it) until she scores.
    await until(() => anchor.coins.size > 0, 10_000, 'coins in the room');
    const deadline = Date.now() + 40_000;
    let held = false;
    try {
      while ((anchor.players.get(id)?.score ?? 0) < 1) {
        if (Date.now() > deadline) throw new Error('Cora did not take a coin in 40 s');
        const me = anchor.players.get(id)!;
        const coin = [...anchor.coins.values()].sort((a, b) => Math.hypot(a.x - me.x, a.y - me.y) - Math.hypot(b.x - me.x, b.y - me.y))[0];
        if (coin) {
          const at = await toScreen(cora.page, coin.x, coin.y);
          await cora.page.mouse.move(at.x, at.y);
          if (!held) await cora.page.mouse.down();
          held = true;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      if (held) await cora.page.mouse.up();
    }
    const score = anchor.players.get(id)!.score;
    await cora.page.waitForFunction((s) => Number(document.getElementById('score')?.textContent) >= s, score, { timeout: 5000 });
    expect(cora.errors).toEqual([]);

    // A reload comes back as the same player with its score, on B directly (A is not asked again).
    const before = await redirectsSent(A);
    await cora.page.reload();
    await cora.page.waitForSelector('#status[data-state="joined"]', { timeout: 20_000 });
    expect(await cora.page.getAttribute('body', 'data-player-id')).toBe(id);
    expect(await cora.page.getAttribute('body', 'data-host')).toBe(addr(B));
    await cora.page.waitForFunction((s) => Number(document.getElementById('score')?.textContent) >= s, score, { timeout: 5000 });
    expect(await redirectsSent(A)).toBe(before);
    expect(cora.errors).toEqual([]);
  });
});
