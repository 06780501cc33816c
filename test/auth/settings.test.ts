// --auth jwt settings are checked once at start: a key file that is missing or not a key, a short
// secret, or no key at all stops the server with one line on stderr and exit code 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';

async function startFails(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null | 'still running'; lines: string[] }> {
  const s = await startServer({ workers: 1, args, env, noWait: true });
  // A server that starts anyway is reported (and stopped) rather than awaited forever.
  const code = await new Promise<number | null | 'still running'>((resolve) => {
    if (s.proc.exitCode !== null) return resolve(s.proc.exitCode);
    const t = setTimeout(() => resolve('still running'), 20_000);
    s.proc.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  await s.stop();
  return { code, lines: s.logs.filter((l) => l.trim() !== '') };
}

describe('--auth jwt settings at start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-authcfg-'));
  const notJson = path.join(dir, 'bad.json');
  fs.writeFileSync(notJson, 'not json');
  const notPem = path.join(dir, 'bad.pem');
  fs.writeFileSync(notPem, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');

  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['a JWKS file that is not JSON', ['--jwt-jwks', notJson], {}, /^shoal: --jwt-jwks .*bad\.json: not JSON/],
    ['a missing PEM file', ['--jwt-public-key', path.join(dir, 'absent.pem')], {}, /^shoal: --jwt-public-key .*absent\.pem: ENOENT/],
    ['a PEM block that is not a key', ['--jwt-public-key', notPem], {}, /^shoal: --jwt-public-key .*bad\.pem: key 1 is not an RSA or P-256 public key/],
    ['a secret shorter than 32 bytes', [], { SHOAL_JWT_SECRET: 'short' }, /^shoal: --jwt-secret: each secret must be at least 32 bytes/],
    ['no key at all', [], {}, /^shoal: --auth jwt needs a key/],
  ];
  for (const [what, args, env, message] of cases) {
    it(`refuses ${what} with one line and exit code 2`, async () => {
      const r = await startFails(['--auth', 'jwt', ...args], env);
      expect(r.code).toBe(2);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(message);
    }, 30_000);
  }

  it('refuses an --auth value it does not know', async () => {
    const r = await startFails(['--auth', 'oauth']);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/auth .*"oauth" is not one of none, jwt/);
  }, 30_000);
});
