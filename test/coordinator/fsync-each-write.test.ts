// --fsync-ms 0 fsyncs a change before the coordinator acknowledges it: no answer to a write
// leaves before its fsync, and sequential writes each get their own fsync. With the default
// interval, answers do leave before the fsync (the observable can see the difference).
import { afterEach, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function metric(s: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}

/** Players join one after another, each in a new room: the join (room and session made) is a write, in turn. */
async function joinInTurn(s: TestServer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const c = s.client({ name: `f${i}`, room: `fsync-${i}` });
    await c.connect();
    c.close();
  }
}

it('with --fsync-ms 0, every acknowledged write was fsynced first, one fsync per write in turn', async () => {
  server = await startServer({ workers: 1, args: ['--fsync-ms', '0'] });
  const fsyncs0 = await metric(server, 'shoal_store_fsyncs_total');
  const acked0 = await metric(server, 'shoal_store_writes_acked_total');
  const n = 15;
  await joinInTurn(server, n);
  const acked = (await metric(server, 'shoal_store_writes_acked_total')) - acked0;
  const fsyncs = (await metric(server, 'shoal_store_fsyncs_total')) - fsyncs0;
  expect(acked).toBeGreaterThanOrEqual(n);
  expect(await metric(server, 'shoal_store_writes_acked_before_fsync_total')).toBe(0);
  // Each write waited for its answer before the next was made, so none could share an fsync.
  expect(fsyncs).toBeGreaterThanOrEqual(n);
});

it('with the default interval, answers leave before the fsync (what --fsync-ms 0 prevents)', async () => {
  server = await startServer({ workers: 1, args: ['--fsync-ms', '1000'] });
  await joinInTurn(server, 5);
  expect(await metric(server, 'shoal_store_writes_acked_before_fsync_total')).toBeGreaterThan(0);
});
