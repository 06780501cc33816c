// What an operator reads from /metrics, summed by the primary over every process: players and
// rooms, messages in and out, CPU and memory per process, workers and coordinator up, crash loops,
// tick overruns and rate-limited players — each checked against what really happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape, scrapeOrEmpty, sample } from '../helpers/metrics.js';
import { coordinatorPid, sleep, startServer, until, workerPid, type TestServer } from '../helpers/server.js';

describe('/metrics of a running server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 2, args: ['--hang-timeout-ms', '60000'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('counts players and rooms across workers, and messages in and out', async () => {
    const before = await scrape(server);
    // Every game a worker hosts has its series from the start, 0 while it has no room.
    expect(sample(before, 'shoal_rooms{game="arena"}')).toBe(0);
    expect(sample(before, 'shoal_players{game="arena"}')).toBe(0);
    const a = server.client({ transport: 'tcp', name: 'gauge-a', room: 'm-one' });
    const b = server.client({ transport: 'ws', name: 'gauge-b', room: 'm-two' });
    const c = server.client({ transport: 'tcp', name: 'gauge-c', room: 'm-two' });
    await Promise.all([a.connect(), b.connect(), c.connect()]);
    for (let i = 0; i < 5; i++) await a.ping();
    const text = await until(async () => {
      const t = await scrape(server);
      return sample(t, 'shoal_players{game="arena"}') === 3 && sample(t, 'shoal_rooms{game="arena"}') === 2 ? t : null;
    }, 10_000, 'players 3, rooms 2');
    // Each game connection counted once, on the worker that took it (the primary counts apart).
    const delta = (series: string) => (sample(text, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('shoal_connections_total{transport="tcp"}')).toBe(2);
    expect(delta('shoal_connections_total{transport="ws"}')).toBe(1);
    expect(delta('shoal_connections_classified_total{kind="tcp"}')).toBe(2);
    expect(delta('shoal_connections_classified_total{kind="ws"}')).toBe(1);
    // hello x3 and 5 pings at least; welcome x3, 5 pongs and snapshots at least.
    expect(sample(text, 'shoal_messages_in_total')! - sample(before, 'shoal_messages_in_total')!).toBeGreaterThanOrEqual(8);
    expect(sample(text, 'shoal_messages_out_total')! - sample(before, 'shoal_messages_out_total')!).toBeGreaterThanOrEqual(8);
    await a.leave();
    await until(async () => sample(await scrape(server), 'shoal_players{game="arena"}') === 2 || null, 10_000, 'players 2 after a leave');
    b.close();
    c.close();
  });

  it('gives CPU seconds and resident memory per process, workers and coordinator up', async () => {
    const text = await scrape(server);
    for (const p of ['primary', 'coordinator', 'worker-0', 'worker-1']) {
      expect(sample(text, `shoal_process_cpu_seconds_total{process="${p}"}`)).toBeGreaterThan(0);
      // A Node process holds tens of MB: a value in bytes, not kB or MB.
      expect(sample(text, `shoal_process_resident_memory_bytes{process="${p}"}`)).toBeGreaterThan(10e6);
    }
    expect(sample(text, 'shoal_workers_running')).toBe(2);
    expect(sample(text, 'shoal_workers_configured')).toBe(2);
    expect(sample(text, 'shoal_coordinator_up')).toBe(1);
    expect(sample(text, 'shoal_store_healthy')).toBe(1);
    expect(sample(text, 'shoal_process_crash_looping{process="worker-1"}')).toBe(0);
    expect(sample(text, 'shoal_process_restarts_total{process="coordinator"}')).toBe(0);
  });

  it('counts rate-limited messages and the flood it closes', async () => {
    const c = server.client({ transport: 'tcp', name: 'flooder', room: 'm-flood' });
    await c.connect();
    const before = await scrape(server);
    for (let i = 0; i < 2000; i++) c.send({ t: 'ping', id: i });
    expect(await c.next('bye', undefined, 10_000)).toMatchObject({ reason: 'flooding' });
    const text = await scrape(server);
    // The burst allowance (2 x 60) is served; of the rest, rateLimitCloseAfter (200) in a row close it.
    expect(sample(text, 'shoal_rate_limited_messages_total')! - sample(before, 'shoal_rate_limited_messages_total')!).toBeGreaterThanOrEqual(200);
    expect(sample(text, 'shoal_rate_limit_closes_total')! - sample(before, 'shoal_rate_limit_closes_total')!).toBe(1);
  });

  it('counts a tick overrun when a worker stalls, and a restart when one dies', async () => {
    const before = sample(await scrape(server), 'shoal_tick_overruns_total')!;
    const pid = workerPid(server, 1);
    process.kill(pid, 'SIGSTOP');
    await sleep(300);
    process.kill(pid, 'SIGCONT');
    await until(async () => (sample(await scrapeOrEmpty(server), 'shoal_tick_overruns_total') ?? 0) > before || null, 10_000, 'an overrun counted');
    process.kill(workerPid(server, 0), 'SIGKILL');
    await until(async () => {
      const t = await scrapeOrEmpty(server);
      return sample(t, 'shoal_process_restarts_total{process="worker-0"}') === 1 && sample(t, 'shoal_workers_running') === 2 ? t : null;
    }, 20_000, 'worker-0 restarted once and running');
  }, 60_000);
});

it('still answers /metrics, with shoal_workers_running 0, while no worker answers', async () => {
  const server = await startServer({ workers: 1, args: ['--hang-timeout-ms', '60000'] });
  const pid = workerPid(server, 0);
  try {
    process.kill(pid, 'SIGSTOP');
    const text = await until(async () => {
      const t = await scrapeOrEmpty(server);
      return sample(t, 'shoal_workers_running') === 0 ? t : null;
    }, 20_000, 'shoal_workers_running 0');
    expect(sample(text, 'shoal_coordinator_up')).toBe(1);
    expect(sample(text, 'shoal_process_cpu_seconds_total{process="primary"}')).toBeGreaterThan(0);
  } finally {
    process.kill(pid, 'SIGCONT');
    await server.stop();
  }
}, 60_000);

it('says shoal_coordinator_up 0 while the coordinator does not answer, and 1 again after', async () => {
  const server = await startServer({ workers: 1, args: ['--hang-timeout-ms', '60000'] });
  const pid = coordinatorPid(server);
  try {
    expect(sample(await scrape(server), 'shoal_coordinator_up')).toBe(1);
    process.kill(pid, 'SIGSTOP');
    await until(async () => sample(await scrapeOrEmpty(server), 'shoal_coordinator_up') === 0 || null, 20_000, 'shoal_coordinator_up 0');
    process.kill(pid, 'SIGCONT');
    await until(async () => sample(await scrapeOrEmpty(server), 'shoal_coordinator_up') === 1 || null, 20_000, 'shoal_coordinator_up 1');
  } finally {
    process.kill(pid, 'SIGCONT');
    await server.stop();
  }
}, 60_000);
