// The data directory is private to the user running Shoal: made 0700 with files 0600 whatever
// the caller's umask, tightened when an older version left it readable by others, and refused
// (exit 2, one line saying why) when other users can write to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Every entry under dir (sockets included), with its mode. */
function tree(dir: string): Array<{ p: string; mode: number; dir: boolean }> {
  const out: Array<{ p: string; mode: number; dir: boolean }> = [];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    out.push({ p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) out.push(...tree(p));
  }
  return out;
}

/** The exit code, or 'still running' if the server has not exited within 15 s. */
function exitOf(s: TestServer): Promise<number | null | 'still running'> {
  if (s.proc.exitCode !== null) return Promise.resolve(s.proc.exitCode);
  return Promise.race([
    new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code))),
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000)),
  ]);
}

describe('data directory permissions', () => {
  it('creates the data directory 0700 and every file in it 0600, even under a umask of 022', async () => {
    expect(process.umask() & 0o077).toBe(0o022); // what the server inherits from this test
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-perm-'));
    const dataDir = path.join(parent, 'data'); // not there yet: the server makes it
    const server = await startServer({ workers: 1, dataDir, args: ['--world-width', '100', '--world-height', '100', '--coins', '20'] });
    try {
      const c = server.client({ transport: 'tcp', name: 'perm', room: 'perm-room' });
      await c.connect();
      await collect(c, 1);
      c.close();
      const running = tree(dataDir);
      expect(running.map((e) => path.relative(dataDir, e.p))).toEqual(expect.arrayContaining(['world', 'console.sock', 'coordinator.sock']));
      for (const e of running) expect([e.p, e.mode]).toEqual([e.p, e.dir ? 0o700 : 0o600]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(mode(dataDir)).toBe(0o700);
    const after = tree(dataDir);
    // The graceful stop wrote a checkpoint: a file made by the coordinator, which inherited the umask.
    expect(after.map((e) => path.relative(dataDir, e.p))).toContain(path.join('world', 'checkpoint.bin'));
    for (const e of after) expect([e.p, e.mode]).toEqual([e.p, e.dir ? 0o700 : 0o600]);
  }, 60_000);

  it('tightens a data directory that other users can read (as Shoal 0.1 left it) and says so', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-perm-'));
    fs.mkdirSync(path.join(dataDir, 'world'));
    // An empty log of generation 0, as 0.1 left it after a start with no players.
    fs.writeFileSync(path.join(dataDir, 'world', 'log.0'), '');
    fs.chmodSync(path.join(dataDir, 'world', 'log.0'), 0o644);
    fs.chmodSync(path.join(dataDir, 'world'), 0o755);
    fs.chmodSync(dataDir, 0o755);
    const server = await startServer({ workers: 1, dataDir });
    try {
      const warn = await server.waitForLog((l) => l.code === 'DATA_DIR_TIGHTENED');
      expect((warn.tightened as string[]).length).toBeGreaterThanOrEqual(3);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'world'))).toBe(0o700);
      expect(mode(path.join(dataDir, 'world', 'log.0'))).toBe(0o600);
    } finally {
      await server.stop();
    }
  }, 60_000);

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('refuses a data directory that belongs to another user (needs root to set one up)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-perm-'));
    fs.chownSync(dataDir, 65534, 65534);
    const server = await startServer({ workers: 1, dataDir, noWait: true });
    const code = await exitOf(server);
    await server.stop();
    expect(code).toBe(2);
    expect(server.logs.filter((l) => l.startsWith('shoal:'))).toEqual([
      `shoal: ${dataDir} belongs to user 65534, not to this user (0); refusing to start: chown it or choose another --data`,
    ]);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 30_000);

  for (const [what, writable] of [['the data directory', ''], ['its world/ directory', 'world']] as const) {
    it(`refuses to start when other users can write to ${what}: one line, exit code 2, nothing written`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-perm-'));
      fs.mkdirSync(path.join(dataDir, 'world'), { mode: 0o700 });
      fs.chmodSync(path.join(dataDir, writable), 0o777);
      const server = await startServer({ workers: 1, dataDir, noWait: true });
      const code = await exitOf(server);
      await server.stop();
      expect(code).toBe(2);
      const plain = server.logs.filter((l) => l.startsWith('shoal:'));
      expect(plain).toEqual([`shoal: ${path.join(dataDir, writable)} is writable by other users (mode 0777); refusing to start: make it private (chmod 700) or choose another --data`]);
      expect(server.logs.some((l) => l.includes('"code":"DATA_DIR_UNSAFE"'))).toBe(true);
      // Refused before anything was created or changed.
      expect(fs.readdirSync(dataDir)).toEqual(['world']);
      expect(fs.readdirSync(path.join(dataDir, 'world'))).toEqual([]);
      expect(mode(path.join(dataDir, writable))).toBe(0o777);
    }, 30_000);
  }
});
