// --auth jwt over the real server, on TCP and on WebSocket: a valid token seats the player as its
// account; expired, wrong audience, wrong issuer, wrong key, alg none and missing tokens are
// refused with their codes (and the connection may try again); both keys of a rotation work;
// a resume token works only for the account it was issued to.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { AUDIENCE, ISSUER, makeKey, sign, unsigned, writeJwks, type TestKey } from './jwt-keys.js';

const SECRET_1 = 'first-secret-of-at-least-32-bytes!!';
const SECRET_2 = 'second-secret-of-at-least-32-bytes!';

type Conn = RawTcp | RawWs;
const TRANSPORTS = ['tcp', 'ws'] as const;

function open(s: TestServer, transport: 'tcp' | 'ws', query = ''): Promise<Conn> {
  return transport === 'tcp' ? RawTcp.connect(s.port) : RawWs.connect(s.port, query);
}

/** Sends hello and returns the answer: welcome or error. */
async function helloAnswer(c: Conn, extra: Record<string, unknown>, name = 'player'): Promise<any> {
  c.send(hello(name, extra));
  return c.next((m) => m.t === 'welcome' || m.t === 'error', 10_000);
}

describe('--auth jwt without guests', () => {
  let server: TestServer;
  let keyA: TestKey;
  let keyB: TestKey;
  let stranger: TestKey;

  beforeAll(async () => {
    keyA = await makeKey('kid-a', 'ES256');
    keyB = await makeKey('kid-b', 'RS256');
    stranger = await makeKey('kid-a', 'ES256'); // same kid, another key: a forger's
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-jwks-'));
    const jwks = path.join(dir, 'jwks.json');
    await writeJwks(jwks, [keyA, keyB]);
    server = await startServer({
      workers: 1,
      args: ['--auth', 'jwt', '--jwt-jwks', jwks, '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE, '--jwt-clock-skew-s', '5'],
      env: { SHOAL_JWT_SECRET: `${SECRET_1},${SECRET_2}` },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      it('seats a player with a valid token as its account, under the name the token gives', async () => {
        const c = await open(server, transport);
        try {
          const w = await helloAnswer(c, { auth: await sign(keyA, { sub: `ada-${transport}`, claims: { name: `Ada${transport}` } }) }, 'typed-name');
          expect(w.t).toBe('welcome');
          expect(w.account).toBe(`ada-${transport}`);
          expect(w.name).toBe(`Ada${transport}`);
          expect(w.guest).toBeUndefined();
          // The room roster (chat shows the name) carries the token's name, not the typed one.
          c.send({ t: 'chat', text: 'hi', scope: 'room' });
          const line = await c.next((m) => m.t === 'chat');
          expect(line.name).toBe(`Ada${transport}`);
        } finally {
          c.close();
        }
      });

      it('refuses missing, expired, wrong-audience, wrong-issuer, not-yet-valid, forged and alg-none tokens with their codes; each connection may then sign in', async () => {
        const sub = `eve-${transport}`;
        const cases: Array<[string, Record<string, unknown>, string]> = [
          ['no token', {}, 'AUTH_REQUIRED'],
          ['expired past the skew', { auth: await sign(keyA, { sub, expIn: -60 }) }, 'AUTH_EXPIRED'],
          ['wrong audience', { auth: await sign(keyA, { sub, aud: 'another-game' }) }, 'AUTH_INVALID'],
          ['wrong issuer', { auth: await sign(keyA, { sub, iss: 'https://evil.example.test' }) }, 'AUTH_INVALID'],
          ['not yet valid', { auth: await sign(keyA, { sub, nbfIn: 120 }) }, 'AUTH_INVALID'],
          ['signed by another key under a known kid', { auth: await sign(stranger, { sub }) }, 'AUTH_INVALID'],
          ['signed with an unknown secret', { auth: await sign({ secret: 'not-a-secret-of-this-server-at-all!' }, { sub }) }, 'AUTH_INVALID'],
          ['alg none', { auth: unsigned(sub) }, 'AUTH_INVALID'],
          ['not a JWT', { auth: 'garbage' }, 'AUTH_INVALID'],
        ];
        // Each case on its own connection, all answered before comparing, so a break shows every
        // case it lets through. After its refusal, each connection signs in (the errors are not
        // fatal), with a token expired by less than the clock skew.
        const got: string[] = [];
        const then: string[] = [];
        for (const [what, extra] of cases) {
          const c = await open(server, transport);
          try {
            const e = await helloAnswer(c, extra);
            got.push(`${what}: ${e.t} ${e.code ?? ''} fatal=${e.fatal}`);
            const w = await helloAnswer(c, { auth: await sign(keyA, { sub, expIn: -2 }) });
            then.push(`${what}: ${w.t} ${w.account ?? w.code}`);
          } finally {
            c.close();
          }
        }
        expect({ got, then }).toEqual({
          got: cases.map(([what, , code]) => `${what}: error ${code} fatal=false`),
          then: cases.map(([what]) => `${what}: welcome ${sub}`),
        });
      });

      it('accepts every key of a rotation: both kids of the JWKS, both secrets', async () => {
        const tokens = [
          await sign(keyA, { sub: `rot-a-${transport}` }),
          await sign(keyB, { sub: `rot-b-${transport}` }),
          await sign({ secret: SECRET_1 }, { sub: `rot-s1-${transport}` }),
          await sign({ secret: SECRET_2 }, { sub: `rot-s2-${transport}` }),
        ];
        for (const auth of tokens) {
          const c = await open(server, transport);
          try {
            const w = await helloAnswer(c, { auth });
            expect(w.t).toBe('welcome');
          } finally {
            c.close();
          }
        }
      });

      it('resumes a player only as the account its token was issued to', async () => {
        const owner = `owner-${transport}`;
        const c = await open(server, transport);
        const w = await helloAnswer(c, { auth: await sign(keyA, { sub: owner }) });
        expect(w.t).toBe('welcome');
        c.close();
        const thief = await open(server, transport);
        try {
          const e = await helloAnswer(thief, { token: w.token, auth: await sign(keyA, { sub: `thief-${transport}` }) });
          expect([e.t, e.code]).toEqual(['error', 'BAD_TOKEN']);
          const back = await helloAnswer(thief, { token: w.token, auth: await sign(keyB, { sub: owner }) });
          expect([back.t, back.id, back.resumed, back.account]).toEqual(['welcome', w.id, true, owner]);
        } finally {
          thief.close();
        }
      });
    });
  }

  it('takes the token from the /ws query (auth=) when hello carries none', async () => {
    const token = await sign(keyB, { sub: 'query-user' });
    const c = await RawWs.connect(server.port, `?auth=${encodeURIComponent(token)}`);
    try {
      const w = await helloAnswer(c, {});
      expect([w.t, w.account]).toEqual(['welcome', 'query-user']);
    } finally {
      c.close();
    }
  });
});
