// Room spam: a room exists (durably, and in /rooms) only once someone is seated in it; one
// address may make only so many rooms a minute (ROOM_LIMIT); /rooms comes a page at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import type { SessionRecord } from '../../server/coordinator/store/types.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';

const LIMIT = 20;
const PAGE = 5;

describe('room spam from one address', () => {
  let server: TestServer;
  const seated: RawTcp[] = [];
  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
  const total = async () => Number((await get('/rooms')).headers.get('x-total-count'));

  beforeAll(async () => {
    server = await startServer({
      workers: 2,
      args: ['--rooms-per-address-per-minute', String(LIMIT), '--rooms-page-size', String(PAGE), '--grace-ms', '0'],
    });
  });
  afterAll(async () => {
    for (const c of seated) c.close();
    await server?.stop();
  });

  it('makes no room, durable or listed, for /ws?room= upgrades and hellos that never seat anyone', async () => {
    // 300 upgrades naming 300 rooms, none of which says hello (the reported attack made a
    // durable room for each).
    for (let i = 0; i < 300; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => RawWs.connect(server.port, `?room=spam-${i + j}`)));
      for (const c of batch) c.close();
    }
    await sleep(1500);
    expect(await total()).toBe(0);
    expect(await (await get('/rooms')).json()).toEqual([]);
    expect((await (await get('/health')).json()).rooms).toBe(0);
  }, 60_000);

  it(`refuses a hello naming a new room with ROOM_LIMIT past ${LIMIT} new rooms a minute; joining existing rooms or none still works`, async () => {
    for (let i = 0; i < LIMIT; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`maker${i}`, { room: `made-${i}` }));
      expect(await c.next((m) => m.t === 'welcome' || m.t === 'error')).toMatchObject({ t: 'welcome', room: `made-${i}` });
      seated.push(c);
    }
    const over = await RawTcp.connect(server.port);
    over.send(hello('one-too-many', { room: 'made-over' }));
    expect(await over.next((m) => m.t === 'error')).toMatchObject({ code: 'ROOM_LIMIT', fatal: false });
    // Not fatal: the same connection joins an existing room.
    over.send(hello('one-too-many', { room: 'made-0' }));
    expect(await over.next((m) => m.t === 'welcome')).toMatchObject({ room: 'made-0' });
    seated.push(over);
    // A player who names no room is placed, never refused.
    const anon = await RawTcp.connect(server.port);
    anon.send(hello('anon'));
    const w = await anon.next((m) => m.t === 'welcome' || m.t === 'error');
    expect(w.t).toBe('welcome');
    seated.push(anon);
    // Over WebSocket too, and the refused room was not made.
    const ws = await RawWs.connect(server.port, '?room=made-ws');
    ws.send(hello('ws-maker'));
    expect(await ws.next((m) => m.t === 'error')).toMatchObject({ code: 'ROOM_LIMIT', fatal: false });
    ws.close();
    // Pages are each up to httpCacheMs old (one worker may hold an earlier answer for a page): read
    // them again until every page and the total agree.
    let ids = new Set<string>();
    await until(async () => {
      ids = new Set<string>();
      for (let off = 0; off < 40; off += PAGE) for (const r of await (await get(`/rooms?offset=${off}`)).json()) ids.add(r.id);
      return ids.size === (await total());
    }, 5000, 'every /rooms page and the total agree');
    expect(ids.has('made-over')).toBe(false);
    expect(ids.has('made-ws')).toBe(false);
  }, 60_000);

  it('serves /rooms a page at a time, with the total and the next page in headers', async () => {
    const n = await total();
    expect(n).toBeGreaterThanOrEqual(LIMIT);
    const first = await get('/rooms');
    expect(await first.json()).toHaveLength(PAGE);
    expect(first.headers.get('link')).toBe(`</rooms?offset=${PAGE}&limit=${PAGE}>; rel="next"`);
    // Following Link from the first page visits every room once.
    const seen: string[] = [];
    let path: string | null = '/rooms';
    while (path) {
      const res = await get(path);
      const page: Array<{ id: string; players: number; capacity: number; worker: number }> = await res.json();
      expect(page.length).toBeLessThanOrEqual(PAGE);
      for (const r of page) {
        expect(r).toMatchObject({ id: expect.any(String), players: expect.any(Number), capacity: 16, worker: expect.any(Number) });
        seen.push(r.id);
      }
      path = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
    for (let i = 0; i < LIMIT; i++) expect(seen).toContain(`made-${i}`);
    // The last page has no next; a limit past the page size is capped; bad ones are 400.
    const tail = await get(`/rooms?offset=${n - 2}&limit=${PAGE}`);
    expect(await tail.json()).toHaveLength(2);
    expect(tail.headers.get('link')).toBeNull();
    expect(await (await get('/rooms?limit=1000')).json()).toHaveLength(PAGE);
    for (const q of ['limit=0', 'limit=abc', 'offset=-1', 'limit=1.5']) expect((await get(`/rooms?${q}`)).status).toBe(400);
  });

  it('drops a room from /rooms when its last player is gone', async () => {
    for (const c of seated.splice(0)) c.close();
    // One answer both empty and counting 0 (each worker may reuse its last answer for httpCacheMs).
    await until(async () => {
      const res = await get('/rooms');
      return Number(res.headers.get('x-total-count')) === 0 && (await res.json()).length === 0;
    }, 15_000, 'rooms gone');
  }, 30_000);

  it('keeps no room across a restart that nobody was seated in', async () => {
    for (let i = 0; i < 50; i++) (await RawWs.connect(server.port, `?room=late-${i}`)).close();
    // TCP hellos naming rooms, each closed before its welcome: a room made for one goes with it.
    for (let i = 0; i < 10; i++) {
      const c = await RawTcp.connect(server.port);
      c.send(hello(`gone${i}`, { room: `late-tcp-${i}` }));
      c.close();
    }
    await until(async () => (await total()) === 0, 10_000, 'no rooms');
    expect(await server.stop()).toBe(0);
    server = await startServer({ workers: 2, dataDir: server.dataDir, args: ['--rooms-page-size', String(PAGE)] });
    expect(await total()).toBe(0);
  }, 60_000);
});

it('drops, at start, rooms in the data directory that nobody is seated in (made by an older version)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-test-'));
  const store = new FileStore(path.join(dataDir, 'world'));
  await store.open();
  // 500 empty rooms, as routing used to make for every /ws?room= upgrade, and one with a player.
  store.append(Array.from({ length: 500 }, (_, i) => ({ k: 'room' as const, r: { id: `old-spam-${i}`, slot: i % 2, capacity: 16 } })));
  store.append([
    { k: 'room', r: { id: 'lived-in', slot: 0, capacity: 16 } },
    // As Shoal 0.1 wrote a session: the raw token, no hash.
    { k: 'session', s: { id: 'p1', token: 'tok-p1', name: 'old-timer', room: 'lived-in', score: 7 } as SessionRecord },
  ]);
  await store.close();
  const server = await startServer({ workers: 2, dataDir });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/rooms`);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(await res.json()).toEqual([expect.objectContaining({ id: 'lived-in', players: 1 })]);
  } finally {
    await server.stop();
  }
}, 60_000);
