// Where a hello goes when two hosts (127.0.0.2 and 127.0.0.3, each a whole Shoal: primary,
// workers, coordinator, own port and data directory) share one world on a real redis-server:
// a hello for a room the other host runs is answered REDIRECT with `to` = that host's advertised
// address, and the connection closes; the same hello sent there plays. Quick-join prefers a local
// free seat, then the other host's, else makes a local room. Two hosts making one room name at
// once end with one room, the other host redirecting to it. A resume at the wrong host is sent to
// the host running its session's room (found through the store's records in Redis). (Raw TCP: the client libraries'
// following of REDIRECT is the clients lane's, tested there.)
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { Inbox } from '../helpers/inbox.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

/** A raw TCP player of a host on any loopback address. */
class Player extends Inbox {
  static connect(s: TestServer): Promise<Player> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: s.host, port: s.port, noDelay: true });
      sock.once('connect', () => resolve(new Player(sock)));
      sock.once('error', reject);
    });
  }

  private constructor(sock: net.Socket) {
    super(sock);
    const reader = new FrameReader(1 << 24, (b) => this.deliver(decode(b)), () => {});
    sock.on('data', (c) => reader.push(c));
  }

  send(msg: unknown): void {
    this.sock.write(frame(encode(msg)));
  }

  /** Says hello; resolves with the welcome or the error that answered it. */
  async hello(extra: Record<string, unknown>): Promise<any> {
    this.send({ t: 'hello', v: 1, name: 'p', ...extra });
    return this.next((m) => m.t === 'welcome' || m.t === 'error', 20_000);
  }
}

let redis: TestRedis;
let r: Redis;
let A: TestServer;
let B: TestServer;
const players: Player[] = [];
const addr = (s: TestServer) => `${s.host}:${s.port}`;

async function player(s: TestServer): Promise<Player> {
  const p = await Player.connect(s);
  players.push(p);
  return p;
}
/** The room a welcome names is on host `s`: its owner key in Redis names that host. */
async function ownerOf(room: string): Promise<string | undefined> {
  const raw = await r.get(`shoal:owner:${room}`);
  return raw ? (JSON.parse(raw) as { host: string }).host : undefined;
}
/** Waits for host `s`'s room to be offered to quick-join with `free` seats (written after the join's answer). */
function offered(game: string, room: string, free: number | null) {
  return until(async () => {
    const raw = await r.hget(`shoal:open:${game}`, room);
    const e = raw ? (JSON.parse(raw) as { free: number }) : null;
    return (free === null ? e === null : e?.free === free) || undefined;
  }, 10_000, `${room} offered with ${free} free`);
}

beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
  const args = ['--store', redis.url, '--host-ttl-ms', '1500'];
  [A, B] = await Promise.all([
    startServer({ host: '127.0.0.2', workers: 1, args }),
    startServer({ host: '127.0.0.3', workers: 1, args }),
  ]);
});
afterAll(async () => {
  for (const p of players) p.close();
  await Promise.all([A?.stop(), B?.stop()]);
  await redis?.stop();
});

describe('a hello naming a room', () => {
  it('that runs on the other host is answered REDIRECT to its advertised address, and plays there', async () => {
    const b1 = await player(B);
    const w1 = await b1.hello({ room: 'harbour' });
    expect(w1.t).toBe('welcome');
    expect(w1.room).toBe('harbour');
    expect(await ownerOf('harbour')).toBe(addr(B));

    const a = await player(A);
    const e = await a.hello({ room: 'harbour' });
    expect(e).toMatchObject({ t: 'error', code: 'REDIRECT', fatal: true, to: addr(B) });
    await a.waitClosed(10_000);

    // Sent there with the same hello: seated in the same room as the first player.
    const b2 = await player(B);
    const w2 = await b2.hello({ room: 'harbour' });
    expect(w2).toMatchObject({ t: 'welcome', room: 'harbour' });
  });

  it('two hosts making one room name at once: one room, the other host redirects to it', async () => {
    for (let i = 0; i < 4; i++) {
      const name = `race-${i}`;
      const [pa, pb] = await Promise.all([player(A), player(B)]);
      const [ra, rb] = await Promise.all([pa.hello({ room: name }), pb.hello({ room: name })]);
      const welcomed = [ra, rb].filter((m) => m.t === 'welcome');
      expect(welcomed).toHaveLength(1);
      const winner = ra.t === 'welcome' ? A : B;
      const lost = ra.t === 'welcome' ? rb : ra;
      expect(lost).toMatchObject({ code: 'REDIRECT', to: addr(winner) });
      expect(await ownerOf(name)).toBe(addr(winner));
    }
  });
});

describe('a resume (token)', () => {
  it("at the wrong host is answered REDIRECT to the host running the session's room; there it resumes", async () => {
    const a = await player(A);
    const w = await a.hello({ room: 'quay' });
    expect(w.t).toBe('welcome');
    a.close();
    await a.waitClosed(10_000);

    // B does not hold the session: it finds it in Redis (the store's records) and its room on A.
    const b = await player(B);
    expect(await b.hello({ token: w.token })).toMatchObject({ code: 'REDIRECT', to: addr(A) });
    const back = await player(A);
    expect(await back.hello({ token: w.token })).toMatchObject({ t: 'welcome', id: w.id, room: 'quay', resumed: true });

    // A token no host knows: BAD_TOKEN, as with one host.
    const nobody = await player(B);
    expect(await nobody.hello({ token: 'no-such-token-anywhere-0000000000' })).toMatchObject({ t: 'error', code: 'BAD_TOKEN' });
  });
});

describe('quick-join (four in a row: two seats)', () => {
  it('a free seat only on the other host: REDIRECT there; none anywhere: a new local room; a local free seat: here', async () => {
    // B: one player waits in a new room, offered to every host.
    const b1 = await player(B);
    const wb = await b1.hello({ game: 'four' });
    expect(wb.t).toBe('welcome');
    expect(await ownerOf(wb.room)).toBe(addr(B));
    await offered('four', wb.room, 1);

    // A has no room of its own: its player is sent to B, and there takes the seat.
    const a1 = await player(A);
    expect(await a1.hello({ game: 'four' })).toMatchObject({ code: 'REDIRECT', to: addr(B) });
    const a1there = await player(B);
    expect(await a1there.hello({ game: 'four' })).toMatchObject({ t: 'welcome', room: wb.room });
    await offered('four', wb.room, null);

    // No free seat anywhere: a new room on A, claimed there and offered.
    const a2 = await player(A);
    const wa = await a2.hello({ game: 'four' });
    expect(wa.t).toBe('welcome');
    expect(wa.room).not.toBe(wb.room);
    expect(await ownerOf(wa.room)).toBe(addr(A));
    await offered('four', wa.room, 1);

    // A free seat on both hosts (B's room named by its player): A's player stays on A.
    const b2 = await player(B);
    expect(await b2.hello({ game: 'four', room: 'b-table' })).toMatchObject({ t: 'welcome', room: 'b-table' });
    await offered('four', 'b-table', 1);
    const a3 = await player(A);
    expect(await a3.hello({ game: 'four' })).toMatchObject({ t: 'welcome', room: wa.room });
  });
});
