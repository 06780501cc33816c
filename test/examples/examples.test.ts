// The projects under examples/ are what a game author starts from, so `npm test` runs them as an
// author would: each gets its own node_modules (`npm install` links Shoal by path, offline), its
// JavaScript is type-checked against the package's published types, the package's entry points
// resolve from it ('shoal', 'shoal/client', nothing deeper), and its own `npm test` passes (it
// starts its own server and plays it).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }));
  });
}

const examples = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'package.json')));

it('has an example project', () => {
  expect(examples).toContain('dice-duel');
});

describe.each(examples)('examples/%s', (name) => {
  const dir = path.join(EXAMPLES, name);

  it('installs with Shoal linked by path, offline', async () => {
    const r = await run(NPM, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--offline'], dir);
    expect(r.code, r.out).toBe(0);
    expect(fs.realpathSync(path.join(dir, 'node_modules/shoal'))).toBe(fs.realpathSync(ROOT));
  });

  it('resolves the package entry points, and nothing past them', async () => {
    const probe = `
      const server = await import('shoal');
      const client = await import('shoal/client');
      let deep;
      try { await import('shoal/dist/server/worker/main.js'); deep = 'imported'; } catch (e) { deep = e.code; }
      console.log(JSON.stringify({ server: Object.keys(server).sort(), client: Object.keys(client).sort(), deep }));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', probe], dir);
    expect(r.code, r.out).toBe(0);
    const got = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(got.server).toEqual(expect.arrayContaining(['createServer', 'defineGame', 'withSettings', 'builtInGames', 'Type']));
    expect(got.client).toEqual(expect.arrayContaining(['ShoalClient', 'tcpConnector', 'wsConnector']));
    expect(got.deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('has the shoal command, with the --games setting', async () => {
    const r = await run(path.join(dir, 'node_modules/.bin/shoal'), ['--help'], dir);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^\s+--games\s+SHOAL_GAMES\s/m);
  });

  it('type-checks against the package\'s types', async () => {
    const r = await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], dir);
    expect(r.code, r.out).toBe(0);
  });

  it('passes its own tests (its own server, played over real sockets)', async () => {
    const r = await run(NPM, ['test'], dir, 170_000);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/# fail 0/);
  }, 180_000);
});
