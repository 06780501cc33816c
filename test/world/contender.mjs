// A separate process that contends for world primitives over its own channel to the coordinator
// (the real Channel class from dist/). Prints a JSON array of what it observed. Times are
// process.hrtime (CLOCK_MONOTONIC, one clock for every process on the machine), in microseconds.
import net from 'node:net';
import { Channel } from '../../dist/shared/ipc/channel.js';

const job = JSON.parse(process.env.JOB);
const us = () => Number(process.hrtime.bigint() / 1000n);

const sock = net.connect(process.env.SOCK);
await new Promise((resolve, reject) => {
  sock.once('connect', resolve);
  sock.once('error', reject);
});
const ch = new Channel(sock, null, null);
const out = [];
await new Promise((r) => setTimeout(r, Math.max(0, job.start - Date.now())));

switch (job.kind) {
  case 'mutex':
    // Acquire, a read-modify-write of a counter (fenced), release: the intervals must not overlap.
    for (let i = 0; i < job.n; i++) {
      const g = await ch.request('world.lock.acquire', { name: job.name, ttlMs: 5000, waitMs: 20000 }, 25000);
      const t0 = us();
      const v = (await ch.request('world.get', { name: job.counter })) ?? 0;
      await ch.request('world.set', { name: job.counter, value: v + 1, fence: { lock: job.name, token: g.token } });
      const t1 = us();
      await ch.request('world.lock.release', { name: job.name, token: g.token });
      out.push({ token: g.token, t0, t1 });
    }
    break;
  case 'sem':
    // Hold a permit for a moment each time; the holding intervals must never overlap more than `permits`.
    for (let i = 0; i < job.n; i++) {
      const g = await ch.request('world.sem.acquire', { name: job.name, permits: job.permits, ttlMs: 5000, waitMs: 20000 }, 25000);
      const t0 = us();
      await new Promise((r) => setTimeout(r, job.holdMs));
      const t1 = us();
      await ch.request('world.sem.release', { name: job.name, token: g.token });
      out.push({ token: g.token, t0, t1 });
    }
    break;
  case 'consume':
    // Pop until the queue stays empty; "crash" (never ack) on some first deliveries.
    for (;;) {
      const d = await ch.request('world.q.pop', { name: job.name, visibilityMs: job.visibilityMs, waitMs: job.idleMs }, job.idleMs + 5000);
      if (!d) break;
      const at = us();
      const drop = d.attempt === 1 && (d.id * 7 + job.id) % 5 === 0;
      if (drop) {
        out.push({ id: d.id, value: d.value, attempt: d.attempt, at, acked: false });
        continue;
      }
      const ok = await ch.request('world.q.ack', { name: job.name, id: d.id });
      out.push({ id: d.id, value: d.value, attempt: d.attempt, at, acked: ok, ackedAt: us() });
    }
    break;
  case 'cas':
    // Everybody tries to move the same value from `round` to `round+1` at the same instant.
    for (let round = 0; round < job.rounds; round++) {
      const target = job.start + (round + 1) * job.gapMs;
      await new Promise((r) => setTimeout(r, Math.max(0, target - Date.now())));
      const won = await ch.request('world.cas', { name: job.name, expected: round === 0 ? null : round, next: round + 1 });
      if (!won) await ch.request('world.get', { name: job.name }); // losers look again, like real code would
      out.push({ round, won });
    }
    break;
  default:
    throw new Error(`unknown job ${job.kind}`);
}
process.stdout.write(JSON.stringify(out));
ch.close();
process.exit(0);
