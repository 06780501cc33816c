// --store naming a Redis that is not there: the coordinator retries for half of --start-timeout-ms,
// then the server stops with one line saying which Redis it could not reach (exit 65, not a
// restart loop). A Redis that comes up within that time is simply used.
import { afterAll, expect, it } from 'vitest';
import { EXIT_STORE_DAMAGED } from '../../server/coordinator/store/cannot-load.js';
import { freePort, logLines, startServer, until, type TestServer } from '../helpers/server.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';

const servers: TestServer[] = [];
let redis: TestRedis | undefined;
afterAll(async () => {
  for (const s of servers) await s.stop();
  await redis?.stop();
});

function exited(server: TestServer, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not exit:\n${server.logs.join('\n')}`)), ms);
    server.proc.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
}

it('an unreachable Redis at start: one line naming it, and a non-zero exit', async () => {
  const port = await freePort();
  const started = Date.now();
  const server = await startServer({ workers: 1, noWait: true, args: ['--store', `redis://127.0.0.1:${port}`, '--start-timeout-ms', '4000'] });
  servers.push(server);
  const code = await exited(server, 30_000);
  await new Promise((r) => setTimeout(r, 100));
  expect(code).toBe(EXIT_STORE_DAMAGED);
  // Retried for half the start timeout first.
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  const lines = server.logs.join('\n').split('\n').filter((l) => l.startsWith('shoal: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^shoal: cannot reach redis at 127\\.0\\.0\\.1:${port} \\(--store redis://127\\.0\\.0\\.1:${port}\\) within 2000 ms: .*ECONNREFUSED`));
  // Reported once by the coordinator, and not restarted.
  expect(logLines(server).filter((l) => l.role === 'coordinator' && l.code === 'STORE_UNREACHABLE')).toHaveLength(1);
  expect(logLines(server).filter((l) => l.role === 'primary' && l.code === 'STORE_UNREACHABLE')).toHaveLength(1);
  expect(logLines(server).some((l) => l.msg === 'coordinator exited; restarting')).toBe(false);
  expect(logLines(server).some((l) => l.msg === 'shoal listening')).toBe(false);
});

it.skipIf(!haveRedis())('a Redis that comes up while the coordinator retries is used', async () => {
  const port = await freePort();
  const server = await startServer({ workers: 1, noWait: true, args: ['--store', `redis://127.0.0.1:${port}`, '--start-timeout-ms', '20000'] });
  servers.push(server);
  await server.waitForLog((l) => l.msg === 'redis not reachable yet; retrying', 15_000);
  redis = await startRedis({ port });
  await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${server.port}/ready`)).status === 200;
    } catch {
      return false;
    }
  }, 20_000, 'server ready once redis is up');
  const c = server.client({ name: 'late' });
  await c.connect();
  expect(await redis.client().hexists('shoal:session', c.id)).toBe(1);
  c.close();
});
