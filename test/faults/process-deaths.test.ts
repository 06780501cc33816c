// The primary's death takes its children with it (no orphans holding state or sockets) and a new
// start binds at once; a coordinator that keeps dying at start is restarted with growing
// back-off and reported with a code, not restarted in a tight loop.
import fs from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { startServer, alive, until, logLines, MAIN } from '../helpers/server.js';

const CLI = path.join(path.dirname(MAIN), 'console/cli.js');

function children(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
}

it('takes workers and the coordinator down with a killed primary, and a new start binds at once', async () => {
  const first = await startServer({ workers: 2 });
  const kids = children(first.pid);
  expect(kids).toHaveLength(3);
  const t0 = Date.now();
  process.kill(first.pid, 'SIGKILL');
  await until(() => kids.every((k) => !alive(k)), 5000, 'children gone');
  const goneMs = Date.now() - t0;
  const second = await startServer({ workers: 2, port: first.port, dataDir: first.dataDir });
  try {
    const h = await (await fetch(`http://127.0.0.1:${second.port}/health`)).json();
    expect(h.status).toBe('ok');
  } finally {
    await second.stop();
    await first.kill();
  }
  console.log(`[figure] SIGKILL of the primary: children gone in ${goneMs} ms; a new start on the same port and data directory listens at once`);
});

it('backs off a coordinator that keeps dying at start and reports the crash loop', async () => {
  const dataDir = fs.mkdtempSync('/tmp/shoal-loop-');
  // The store's directory is a plain file: the coordinator cannot open it, every time. (A damaged
  // store is not retried at all: test/coordinator/damaged-store.test.ts.)
  fs.writeFileSync(path.join(dataDir, 'world'), 'not a directory');
  const server = await startServer({ workers: 1, dataDir, noWait: true });
  try {
    const loop = await server.waitForLog((l) => l.code === 'COORDINATOR_CRASH_LOOP', 30_000);
    expect(loop.restartInMs).toBeGreaterThan(0);
    const exits = logLines(server).filter((l) => l.code === 'COORDINATOR_EXITED' || l.code === 'COORDINATOR_CRASH_LOOP');
    const starts = logLines(server).filter((l) => l.role === 'coordinator' && l.msg === 'coordinator failed to start');
    expect(starts.length).toBeGreaterThanOrEqual(5);
    // Back-off grows: each planned delay is at least the one before.
    const delays = exits.map((l) => l.restartInMs as number);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[delays.length - 1]).toBeGreaterThan(delays[0]!);
    // The operator sees it too: the console reports the coordinator with the code.
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [CLI, 'status', '--json', '--console', server.consoleSocket], { timeout: 15_000 }, (_e, stdout) => resolve(stdout));
    });
    expect(out).toContain('COORDINATOR_CRASH_LOOP');
    // The primary itself stays up and never listened on a broken world.
    expect(alive(server.pid)).toBe(true);
    expect(logLines(server).some((l) => l.msg === 'shoal listening')).toBe(false);
  } finally {
    await server.kill();
  }
});
