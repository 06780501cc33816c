// A burst of quick-joins over the whole cluster: 120 TCP hellos naming no room, sent at once to
// two workers. The primary places every one itself (no `route` round trip; its board of free
// seats is stale for most of the burst) and each worker seats its own: every player is welcomed,
// none is relayed to another worker's room, and no room holds more than its seats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { sample, scrape } from '../helpers/metrics.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

const N = 120;
const SEATS = 16;

describe('a burst of quick-joins', () => {
  let server: TestServer;
  const open: RawTcp[] = [];
  beforeAll(async () => {
    server = await startServer({ workers: 2, args: ['--room-capacity', String(SEATS)] });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  it(`places all ${N} on the workers from the primary, seats each on the worker it went to, relays none`, async () => {
    const before = await scrape(server);
    const clients = await Promise.all(Array.from({ length: N }, () => RawTcp.connect(server.port)));
    open.push(...clients);
    for (const [i, c] of clients.entries()) c.send(hello(`b${i}`));
    const welcomes = await Promise.all(clients.map((c) => c.next((m) => m.t === 'welcome' || m.t === 'error')));
    expect(welcomes.filter((m) => m.t !== 'welcome')).toEqual([]);
    const after = await scrape(server);
    const delta = (name: string) => (sample(after, name) ?? 0) - (sample(before, name) ?? 0);
    expect(delta('shoal_connections_routed_total{by="primary"}')).toBe(N);
    expect(delta('shoal_relayed_connections_total')).toBe(0);
    // Both workers took players, and no room is past its seats.
    const rooms = await until(async () => {
      const l = (await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Array<{ id: string; worker: number; players: number }>;
      return l.reduce((n, r) => n + r.players, 0) === N ? l : null;
    }, 10_000, `${N} players in /rooms`);
    expect(new Set(rooms.map((r) => r.worker))).toEqual(new Set([0, 1]));
    expect(rooms.every((r) => r.players <= SEATS)).toBe(true);
    const byRoom = new Map<string, number>();
    for (const w of welcomes) byRoom.set(w.room as string, (byRoom.get(w.room as string) ?? 0) + 1);
    expect([...byRoom.values()].reduce((a, b) => a + b, 0)).toBe(N);
  });
});
