// --listen-backlog is the queue the kernel keeps on the game port for connections the primary has
// not accepted yet. For a listening socket, `ss -lnt` shows that queue's size as Send-Q, so the
// setting is read back from the kernel, not from Shoal.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const hasSs = spawnSync('sh', ['-c', 'command -v ss'], { stdio: 'ignore' }).status === 0;
if (!hasSs) {
  if (inCI) throw new Error('listen-backlog.test.ts: CI but ss is missing (scripts/test-deps.txt: iproute2)');
  console.warn('\n*** listen-backlog.test.ts: SKIPPED, ss not found (apt-get install iproute2)\n');
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function kernelBacklog(port: number): number {
  const out = execFileSync('ss', ['-Hlnt', `sport = :${port}`], { encoding: 'utf8' }).trim();
  // State Recv-Q Send-Q Local Peer
  const sendQ = Number(out.split(/\s+/)[2]);
  expect(Number.isInteger(sendQ), `ss output: ${out}`).toBe(true);
  return sendQ;
}

it.skipIf(!hasSs)('listens on the game port with the backlog --listen-backlog names', async () => {
  server = await startServer({ workers: 1, args: ['--listen-backlog', '77'] });
  expect(kernelBacklog(server.port)).toBe(77);
}, 60_000);
