// @ts-check
// The dice duel, played for real: this starts server.js (a primary, two workers and a coordinator)
// on a free port with its own data directory, plays it with two TCP clients from `shoal/client`,
// and stops it. `npm test` here; the Shoal repository's `npm test` runs it too.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ShoalClient, tcpConnector } from 'shoal/client';

const here = path.dirname(fileURLToPath(import.meta.url));
const TURN_MS = 1500;

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/** @type {import('node:child_process').ChildProcess} */
let server;
let port = 0;
const logs = /** @type {string[]} */ ([]);

before(async () => {
  port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'dice-duel-'));
  server = spawn(process.execPath, [path.join(here, '..', 'server.js'), '--port', String(port), '--host', '127.0.0.1', '--data', data, '--workers', '2'], {
    env: { ...process.env, SHOAL_LOG_JSON: '1', DICE_TURN_MS: String(TURN_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stopped whole below, workers and coordinator too
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not listening in 30 s:\n${logs.join('')}`)), 30_000);
    const read = (/** @type {Buffer} */ b) => {
      logs.push(b.toString());
      if (logs.join('').includes('"msg":"shoal listening"')) {
        clearTimeout(timer);
        resolve(undefined);
      }
    };
    server.stdout?.on('data', read);
    server.stderr?.on('data', read);
    server.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${logs.join('')}`)));
  });
});

after(async () => {
  if (!server?.pid) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // every process has gone
  }
});

/** @param {string} name */
const player = (name) => new ShoalClient({ connector: tcpConnector('127.0.0.1', port), name, game: 'dice-duel', autoResume: false });

/**
 * The `duel` message that ends a round, as a player sees it.
 * @param {ShoalClient} c
 * @param {number} round
 * @returns {Promise<{ round: number, rolls: Record<string, number>, winner: string | null }>}
 */
const roundEnd = (c, round) => /** @type {any} */ (c.next(/** @type {any} */ ('duel'), (/** @type {any} */ m) => m.done === true && m.round === round, 10_000));

test('two players duel: the higher roll wins, a second roll is refused, the slow player is rolled for, wins reach the leaderboard', async () => {
  const ann = player('ann');
  const bob = player('bob');
  const wa = await ann.connect();
  assert.equal(wa.game, 'dice-duel');
  assert.equal(wa.world, undefined); // a game without a field
  const wb = await bob.connect();
  assert.equal(wb.room, wa.room, 'quick-join seats the second player with the first');

  const wins = { [wa.id]: 0, [wb.id]: 0 };
  let totalSeen = 0;
  ann.on('message', (/** @type {any} */ m) => {
    if (m.t === 'duel-rounds') totalSeen = Math.max(totalSeen, m.total);
  });

  // Round 1: both roll; ann tries a second roll and is refused, without losing her seat.
  let end = roundEnd(ann, 1);
  ann.send({ t: 'roll' });
  await ann.next(/** @type {any} */ ('duel'), (/** @type {any} */ m) => m.rolls[wa.id] !== undefined, 10_000);
  const refused = ann.next('error', undefined, 10_000);
  ann.send({ t: 'roll' });
  const e = await refused;
  assert.deepEqual([e.code, e.fatal], ['ALREADY_ROLLED', false]);
  bob.send({ t: 'roll' });
  let r = await end;
  check(r, wa.id, wb.id);
  if (r.winner) wins[r.winner]++;

  // Round 2: only bob rolls; after turnMs the server rolls for ann.
  end = roundEnd(bob, 2);
  const t0 = Date.now();
  bob.send({ t: 'roll' });
  r = await end;
  assert.ok(Date.now() - t0 >= TURN_MS - 100, `ann was rolled for after the turn time (${Date.now() - t0} ms)`);
  check(r, wa.id, wb.id);
  if (r.winner) wins[r.winner]++;

  // More rounds until someone has won one (a tie wins nothing).
  for (let i = 0; i < 20 && wins[wa.id] + wins[wb.id] === 0; i++) {
    end = roundEnd(ann, r.round + 1);
    ann.send({ t: 'roll' });
    bob.send({ t: 'roll' });
    r = await end;
    check(r, wa.id, wb.id);
    if (r.winner) wins[r.winner]++;
  }

  // Wins are scores on the server's leaderboard; rounds count in the world.
  const top = await ann.top();
  for (const [id, name] of [[wa.id, 'ann'], [wb.id, 'bob']]) {
    const row = top.players.find(([who]) => who === name);
    assert.equal(row?.[1] ?? 0, wins[id], `${name}'s wins on the leaderboard`);
  }
  const deadline = Date.now() + 10_000;
  while (totalSeen < r.round && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  assert.equal(totalSeen, r.round, 'every round played counted in the world');
  ann.close();
  bob.close();
});

test('a message the game does not declare, or a roll with fields, is refused at the edge', async () => {
  const c = player('cat');
  await c.connect();
  let e = c.next('error', undefined, 10_000);
  c.send({ t: 'shuffle' });
  assert.equal((await e).code, 'UNKNOWN_TYPE');
  e = c.next('error', undefined, 10_000);
  c.send({ t: 'roll', dice: 6 });
  assert.equal((await e).code, 'BAD_MESSAGE');
  c.close();
});

/**
 * A finished round's winner is the higher roll (none on a tie), and both players rolled 1..6.
 * @param {{ rolls: Record<string, number>, winner: string | null }} r
 * @param {string} a
 * @param {string} b
 */
function check(r, a, b) {
  const ra = r.rolls[a] ?? 0;
  const rb = r.rolls[b] ?? 0;
  for (const v of [ra, rb]) assert.ok(Number.isInteger(v) && v >= 1 && v <= 6, `a die shows 1..6, got ${v}`);
  assert.equal(r.winner, ra > rb ? a : rb > ra ? b : null);
}
