// Key rotation with --auth jwt: a JWKS with two kids accepts both; after the old key is removed
// from the file and the console's `auth reload`, the old kid is refused and the new one still
// works, on TCP and WebSocket. A file that does not load is refused and the keys in use stay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { ask } from '../console/console-helpers.js';
import { AUDIENCE, ISSUER, makeKey, sign, writeJwks, type TestKey } from './jwt-keys.js';

async function answer(s: TestServer, transport: 'tcp' | 'ws', auth: string): Promise<any> {
  const c = transport === 'tcp' ? await RawTcp.connect(s.port) : await RawWs.connect(s.port);
  try {
    c.send(hello('rotor', { auth }));
    return await c.next((m) => m.t === 'welcome' || m.t === 'error', 10_000);
  } finally {
    c.close();
  }
}

describe('auth key rotation', () => {
  let server: TestServer;
  let oldKey: TestKey;
  let newKey: TestKey;
  let jwks: string;

  beforeAll(async () => {
    oldKey = await makeKey('2026-old', 'RS256');
    newKey = await makeKey('2026-new', 'ES256');
    jwks = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-rot-')), 'jwks.json');
    await writeJwks(jwks, [oldKey, newKey]);
    // Two workers: the reload must reach each of them.
    server = await startServer({
      workers: 2,
      args: ['--auth', 'jwt', '--jwt-jwks', jwks, '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE],
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts the old and the new kid, then after `auth reload` without the old key only the new one', async () => {
    const oldToken = await sign(oldKey, { sub: 'rot-old' });
    const newToken = await sign(newKey, { sub: 'rot-new' });
    for (const transport of ['tcp', 'ws'] as const) {
      expect((await answer(server, transport, oldToken)).t).toBe('welcome');
      expect((await answer(server, transport, newToken)).t).toBe('welcome');
    }

    // A broken file is refused by the reload, and nothing changes.
    fs.writeFileSync(jwks, '{"keys": [');
    const broken = await ask(server.consoleSocket, 'auth', 'reload');
    expect([broken.ok, broken.error?.code]).toEqual([false, 'BAD_KEYS']);
    expect((await answer(server, 'tcp', oldToken)).t).toBe('welcome');

    await writeJwks(jwks, [newKey]);
    const reload = await ask(server.consoleSocket, 'auth', 'reload');
    expect(reload.ok).toBe(true);
    expect(reload.data).toEqual({ keys: 1, workers: 2 });
    for (const transport of ['tcp', 'ws'] as const) {
      // Several connections: with two workers, each worker must have dropped the old key.
      for (let i = 0; i < 4; i++) {
        const e = await answer(server, transport, oldToken);
        expect([transport, e.t, e.code]).toEqual([transport, 'error', 'AUTH_INVALID']);
        expect((await answer(server, transport, newToken)).t).toBe('welcome');
      }
    }
  }, 60_000);
});
