// A worker that hangs (here: stopped with SIGSTOP, as a busy loop would look from outside) stops
// answering the primary's liveness ping; the primary kills it and its players resume elsewhere
// or on the replacement, like after a crash.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { startServer, workerPid, until, logLines, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--hang-timeout-ms', '1500'] });
});
afterAll(async () => {
  await server?.stop();
});

it('kills a hung worker and brings its players back', async () => {
  const players: ShoalClient[] = [];
  for (let i = 0; i < 4; i++) {
    const c = server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `hang${i}`, room: `hang-${i}`, backoffMinMs: 50, backoffMaxMs: 500 });
    await c.connect();
    players.push(c);
  }
  const rooms: Array<{ id: string; worker: number }> = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  const slotOf = new Map(rooms.map((r) => [r.id, r.worker]));
  const slot = slotOf.get(players[0]!.room!)!;
  const victims = players.filter((c) => slotOf.get(c.room!) === slot);
  const ids = players.map((c) => c.id);
  const pid = workerPid(server, slot);
  const t0 = Date.now();
  process.kill(pid, 'SIGSTOP');
  // The hung worker's TCP players notice nothing until it is killed; then they resume.
  await server.waitForLog((l) => l.code === 'WORKER_HUNG' && l.slot === slot, 10_000);
  await until(() => victims.every((c) => c.reconnects > 0 && c.status === 'joined'), 20_000, 'victims resumed');
  const ms = Date.now() - t0;
  expect(players.map((c) => c.id)).toEqual(ids);
  expect(logLines(server).some((l) => l.code === 'WORKER_EXITED' && l.slot === slot)).toBe(true);
  console.log(`[figure] SIGSTOP of a worker (hang) with hang timeout 1.5 s: killed and ${victims.length} players resumed in ${ms} ms`);
  for (const c of players) c.close();
}, 60_000);
