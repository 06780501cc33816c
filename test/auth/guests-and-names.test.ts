// --auth jwt with --allow-guests, on TCP and WebSocket: guests are seated and marked; a guest can
// never take a name an account plays under, nor resume an account's player; the leaderboard is
// kept by account (sub), whatever names the account plays under, and guests' lines are marked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';
import { AUDIENCE, ISSUER, sign } from './jwt-keys.js';

const SECRET = 'guest-test-secret-of-at-least-32-bytes';
const KEY = { secret: SECRET };
const TRANSPORTS = ['tcp', 'ws'] as const;

type Conn = RawTcp | RawWs;

function open(s: TestServer, transport: 'tcp' | 'ws'): Promise<Conn> {
  return transport === 'tcp' ? RawTcp.connect(s.port) : RawWs.connect(s.port);
}

async function helloAnswer(c: Conn, extra: Record<string, unknown>, name = 'player'): Promise<any> {
  c.send(hello(name, extra));
  return c.next((m) => m.t === 'welcome' || m.t === 'error', 10_000);
}

async function leaderboard(s: TestServer): Promise<Array<{ name: string; score: number; account?: string; guest?: boolean }>> {
  const res = await fetch(`http://127.0.0.1:${s.port}/leaderboard`);
  return res.json() as never;
}

/** Plays until the player scores `n`, then leaves (so its score is final); resolves with that final score. */
async function scoreAndLeave(s: TestServer, transport: 'tcp' | 'ws', name: string, auth: string | undefined, n: number): Promise<number> {
  const c = s.client({ transport, name, auth, autoResume: false });
  await c.connect();
  await collect(c, n, 30_000);
  await c.leave(3000);
  c.close();
  // The score as the last state before the goodbye showed it: a coin placed within reach of the
  // standing player may still have gone to it after it reached n.
  return c.me!.score;
}

describe('--auth jwt --allow-guests', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({
      workers: 1,
      args: ['--auth', 'jwt', '--allow-guests', 'true', '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE,
        '--world-width', '100', '--world-height', '100', '--coins', '20'],
      env: { SHOAL_JWT_SECRET: SECRET },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      it('seats a player without a token as a guest, marked in welcome', async () => {
        const c = await open(server, transport);
        try {
          const w = await helloAnswer(c, {}, `visitor-${transport}`);
          expect([w.t, w.guest, w.account]).toEqual(['welcome', true, undefined]);
        } finally {
          c.close();
        }
      });

      it("refuses a guest the name an account plays under (NAME_TAKEN), and an account's resume token", async () => {
        const acct = await open(server, transport);
        const w = await helloAnswer(acct, { auth: await sign(KEY, { sub: `squat-owner-${transport}`, claims: { name: `Owner${transport}` } }) });
        expect([w.t, w.account]).toEqual(['welcome', `squat-owner-${transport}`]);
        const guest = await open(server, transport);
        try {
          for (const name of [`Owner${transport}`, `owner${transport}`.toUpperCase()]) {
            const e = await helloAnswer(guest, {}, name);
            expect([name, e.t, e.code, e.fatal]).toEqual([name, 'error', 'NAME_TAKEN', false]);
          }
          // The account's player cannot be taken over by a guest with its resume token.
          const e = await helloAnswer(guest, { token: w.token }, 'sneaky');
          expect([e.t, e.code]).toEqual(['error', 'BAD_TOKEN']);
          // Another name is fine for the same guest connection.
          const ok = await helloAnswer(guest, {}, `Other${transport}`);
          expect([ok.t, ok.guest]).toEqual(['welcome', true]);
        } finally {
          guest.close();
          acct.close();
        }
      });

      it('keeps one leaderboard line per account (by sub) across names, and marks guest lines', async () => {
        const sub = `lb-${transport}`;
        const first = await scoreAndLeave(server, transport, 'typed', await sign(KEY, { sub, claims: { name: `First${transport}` } }), 1);
        const second = await scoreAndLeave(server, transport, 'typed', await sign(KEY, { sub, claims: { name: `Second${transport}` } }), 1);
        const guestScore = await scoreAndLeave(server, transport, `Gst${transport}`, undefined, 1);
        let board: Awaited<ReturnType<typeof leaderboard>> = [];
        // Scores reach the coordinator before the state that shows them; the sorted board may lag 50 ms.
        for (let i = 0; i < 40; i++) {
          board = await leaderboard(server);
          if (board.some((e) => e.account === sub && e.score === first + second)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const mine = board.filter((e) => e.account === sub);
        expect(mine).toEqual([{ name: `Second${transport}`, score: first + second, account: sub }]);
        expect(board.filter((e) => e.name === `First${transport}`)).toEqual([]);
        expect(board.find((e) => e.name === `Gst${transport}`)).toEqual({ name: `Gst${transport}`, score: guestScore, guest: true });
        // The in-game board (top) marks the guest's line with a third element, and not the account's.
        const c = await open(server, transport);
        try {
          // Asked by another player (a guest of its own name): a player seated takes any coin within
          // reach at once, so the account's own seat could change the score under test.
          expect((await helloAnswer(c, {}, `Asker${transport}`)).t).toBe('welcome');
          c.send({ t: 'top' });
          const top = await c.next((m) => m.t === 'top');
          expect(top.players).toContainEqual([`Gst${transport}`, guestScore, true]);
          expect(top.players).toContainEqual([`Second${transport}`, first + second]);
        } finally {
          c.close();
        }
      }, 120_000);
    });
  }
});
