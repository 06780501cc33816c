// A start that never becomes ready is given up: the primary kills a worker not ready within
// --start-timeout-ms and starts another, with growing back-off while that keeps happening, and
// the server serves once a start succeeds. Two honest ways a start hangs: the worker is stopped
// right after its fork (it never answers anything), or it runs but cannot finish its start (its
// hello to a stalled coordinator is never answered). The hang timeout is set far out of the way,
// so only the start timeout can be what kills it. The coordinator, stopped right after its fork,
// gets the same.
import { afterEach, expect, it } from 'vitest';
import { alive, coordinatorPid, logLines, startServer, until, workerPid, type TestServer } from '../helpers/server.js';

const START_MS = 4000;
let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serves(s: TestServer): Promise<void> {
  await until(async () => {
    const h = await fetch(`http://127.0.0.1:${s.port}/health`).then((r) => r.json(), () => null);
    return h?.status === 'ok' && h.workers === 2;
  }, 15_000, 'healthy with 2 workers');
  const c = s.client({ name: 'after', room: 'after-start' });
  await c.connect();
  expect(c.status).toBe('joined');
  c.close();
}

it('kills a worker stopped right after its fork when it is not ready in time, and replaces it', async () => {
  const s = (server = await startServer({ workers: 2, args: ['--start-timeout-ms', String(START_MS), '--hang-timeout-ms', '60000'] }));
  // SIGSTOP the replacement the moment the primary logs its fork. If it was quicker than us and
  // already ready, that start was not a hanging one: let it go and try again.
  let stopped: number | undefined;
  for (let attempt = 0; attempt < 5 && stopped === undefined; attempt++) {
    const known = new Set(logLines(s).filter((l) => l.msg === 'worker starting').map((l) => l.workerPid));
    process.kill(workerPid(s, 0), 'SIGKILL');
    const fork = await s.waitForLog((l) => l.msg === 'worker starting' && l.slot === 0 && !known.has(l.workerPid), 10_000);
    const pid = fork.workerPid as number;
    process.kill(pid, 'SIGSTOP');
    if (logLines(s).some((l) => l.role === 'worker' && l.pid === pid && l.msg === 'worker ready')) {
      process.kill(pid, 'SIGCONT');
      await until(() => logLines(s).filter((l) => l.msg === 'worker running' && l.slot === 0 && l.workerPid === pid).length > 0, 10_000, 'ready');
      continue;
    }
    stopped = pid;
  }
  expect(stopped).toBeDefined();
  const t0 = Date.now();
  const timeout = await s.waitForLog((l) => l.code === 'WORKER_START_TIMEOUT' && l.workerPid === stopped, 15_000);
  expect(timeout.slot).toBe(0);
  // Killed and replaced: the stopped process is gone and a new one in slot 0 runs.
  await until(() => !alive(stopped!), 5000, 'stopped worker killed');
  await until(() => logLines(s).some((l) => l.msg === 'worker running' && l.slot === 0 && (l.time as number) >= t0), 15_000, 'replacement running');
  expect(logLines(s).some((l) => l.code === 'WORKER_HUNG')).toBe(false);
  await serves(s);
  console.log(`[figure] worker SIGSTOPped right after its fork (start timeout ${START_MS} ms): killed and replaced ${Date.now() - t0} ms after the stop, server serving`);
}, 90_000);

it('gives up, with growing back-off, a worker start that cannot finish, and serves once it can', async () => {
  const s = (server = await startServer({ workers: 2, args: ['--start-timeout-ms', String(START_MS), '--hang-timeout-ms', '60000'] }));
  const player = s.client({ name: 'waiter', room: 'start-0', backoffMinMs: 50, backoffMaxMs: 500 });
  await player.connect();
  const id = player.id;
  const coord = coordinatorPid(s);
  const from = s.logs.length;
  process.kill(coord, 'SIGSTOP');
  try {
    process.kill(workerPid(s, 0), 'SIGKILL');
    process.kill(workerPid(s, 1), 'SIGKILL');
    // Each replacement waits for the coordinator's answer to its hello, which cannot come.
    await until(() => logLines({ ...s, logs: s.logs.slice(from) }).filter((l) => l.code === 'WORKER_START_TIMEOUT' && l.slot === 0).length >= 3, 45_000, 'three start timeouts');
  } finally {
    process.kill(coord, 'SIGCONT');
  }
  const exits = logLines({ ...s, logs: s.logs.slice(from) }).filter((l) => l.code === 'WORKER_EXITED' && l.slot === 0).map((l) => l.restartInMs as number);
  // The kill, then each start timeout: the delay before the next start grows.
  expect(exits.length).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < exits.length; i++) expect(exits[i]).toBeGreaterThanOrEqual(exits[i - 1]!);
  expect(exits[exits.length - 1]).toBeGreaterThan(exits[1]!);
  expect(alive(coord)).toBe(true);
  const t0 = Date.now();
  await serves(s);
  await until(() => player.status === 'joined' && player.id === id, 15_000, 'player back');
  console.log(`[figure] worker starts that cannot finish (coordinator stalled), start timeout ${START_MS} ms: back-off ${exits.join(', ')} ms; serving ${Date.now() - t0} ms after the coordinator resumed`);
}, 90_000);

it('kills a coordinator stopped right after its fork when it is not ready in time, and replaces it', async () => {
  const s = (server = await startServer({ workers: 2, args: ['--start-timeout-ms', String(START_MS), '--hang-timeout-ms', '60000'] }));
  let stopped: number | undefined;
  for (let attempt = 0; attempt < 5 && stopped === undefined; attempt++) {
    const known = new Set(logLines(s).filter((l) => l.msg === 'coordinator starting').map((l) => l.coordinatorPid));
    process.kill(coordinatorPid(s), 'SIGKILL');
    const fork = await s.waitForLog((l) => l.msg === 'coordinator starting' && !known.has(l.coordinatorPid), 10_000);
    const pid = fork.coordinatorPid as number;
    process.kill(pid, 'SIGSTOP');
    if (logLines(s).some((l) => l.role === 'coordinator' && l.pid === pid && l.msg === 'coordinator listening')) {
      // Quicker than us: that start did not hang. Let it run and try again.
      process.kill(pid, 'SIGCONT');
      continue;
    }
    stopped = pid;
  }
  expect(stopped).toBeDefined();
  const t0 = Date.now();
  await s.waitForLog((l) => l.code === 'COORDINATOR_START_TIMEOUT' && l.coordinatorPid === stopped, 15_000);
  await until(() => !alive(stopped!), 5000, 'stopped coordinator killed');
  await until(() => logLines(s).some((l) => l.role === 'coordinator' && l.msg === 'coordinator listening' && (l.time as number) >= t0), 15_000, 'replacement listening');
  expect(logLines(s).some((l) => l.code === 'COORDINATOR_HUNG')).toBe(false);
  await serves(s);
  console.log(`[figure] coordinator SIGSTOPped right after its fork (start timeout ${START_MS} ms): killed and replaced, serving ${Date.now() - t0} ms after the stop`);
}, 90_000);
