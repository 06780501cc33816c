// Encodes per tick with and without views, counted by the real server: Shoal started with the fog
// of war game module (test/fixtures/games/fog.mjs: `fog` has a view per team, `fog-open` none),
// 16 players (half TCP, half WebSocket) in one room in 2 teams, and the server's own
// shoal_room_encodes_total and shoal_messages_out_total read from /metrics around a run of ticks.
// The players pause the match, the counters are read once every player has had everything sent
// before the pause, the match runs until every player has seen --ticks more states, is paused and
// read again: encodes ÷ ticks seen is exact, not sampled. Rounds alternate the two games; medians.
//   node dist/loadtest/views-encodes.js [--players 16] [--ticks 50] [--rounds 3] [--out FILE.json]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { decode, encode } from '../shared/protocol/codec.js';
import { frame } from '../shared/protocol/framing.js';
import { openRaw, type RawConnection } from './drivers/raw-connection.js';
import { describeMachine, machine } from './machine.js';
import { stopAll } from './processes.js';
import { median } from './result.js';
import { startShoal, type RunningServer } from './servers.js';

const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const FOG = path.join(REPO, 'test', 'fixtures', 'games', 'fog.mjs');

interface Msg { t: string; [k: string]: unknown }

class Player {
  id = '';
  /** Tick numbers of the states received, in order. */
  readonly ticks: number[] = [];
  bytes = 0;
  private waiters: Array<() => void> = [];
  private readonly pongs = new Set<number>();
  private pingNo = 0;

  private constructor(readonly conn: RawConnection) {
    conn.onMessage = (body) => {
      this.bytes += body.length;
      const m = decode(body) as Msg;
      if (m.t === 'sync') this.ticks.push(m.tick as number);
      else if (m.t === 'welcome') this.id = m.id as string;
      else if (m.t === 'pong') this.pongs.add(m.id as number);
      const w = this.waiters;
      this.waiters = [];
      for (const fn of w) fn();
    };
  }

  static async join(port: number, transport: 'tcp' | 'ws', game: string, room: string, name: string): Promise<Player> {
    const p = new Player(await openRaw(transport, '127.0.0.1', port, () => {}));
    p.send({ t: 'hello', v: 1, name, game, room });
    await p.until(() => p.ticks.length > 0);
    return p;
  }

  send(msg: Msg): void {
    const body = encode(msg);
    this.conn.send(frame(body), body);
  }

  until(cond: () => boolean, ms = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out')), ms);
      const check = () => {
        if (cond()) {
          clearTimeout(t);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Answered after everything the server sent this player before handling the ping. */
  async ping(): Promise<void> {
    const id = ++this.pingNo;
    this.send({ t: 'ping', id });
    await this.until(() => this.pongs.has(id));
  }
}

async function counters(port: number, game: string): Promise<{ encodes: number; out: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const read = (series: string) => Number(text.split('\n').find((l) => l.startsWith(series + ' '))?.slice(series.length + 1) ?? 0);
  return { encodes: read(`shoal_room_encodes_total{game="${game}"}`), out: read('shoal_messages_out_total') };
}

interface Run { game: string; ticks: number; encodesPerTick: number; sentPerTick: number; bytesPerPlayerPerTick: number }

async function run(server: RunningServer, game: string, players: number, ticks: number, round: number): Promise<Run> {
  const room = `${game}-r${round}`;
  const ps: Player[] = [];
  // Teams alternate as players join (fog.mjs): 8 red, 8 blue; half over TCP, half WebSocket.
  for (let i = 0; i < players; i++) ps.push(await Player.join(server.port, i % 4 < 2 ? 'tcp' : 'ws', game, room, `p${i}`));
  const settle = async () => {
    await ps[0]!.ping();
    for (const p of ps) await p.ping();
  };
  ps[0]!.send({ t: 'pause', on: true });
  await settle();
  const before = await counters(server.port, game);
  const last = Math.max(...ps.flatMap((p) => p.ticks));
  const bytes0 = ps.map((p) => p.bytes);
  ps[0]!.send({ t: 'pause', on: false });
  await Promise.all(ps.map((p) => p.until(() => p.ticks.filter((t) => t > last).length >= ticks, 60_000)));
  ps[0]!.send({ t: 'pause', on: true });
  await settle();
  const after = await counters(server.port, game);
  const seen = ps[0]!.ticks.filter((t) => t > last).length;
  for (const p of ps) {
    if (p.ticks.filter((t) => t > last).length !== seen) throw new Error('players saw different numbers of ticks');
  }
  const pongs = ps.length + 1; // the second settle's pongs: sent, but not encoded by the room
  const bytes = ps.reduce((s, p, i) => s + p.bytes - bytes0[i]!, 0);
  for (const p of ps) p.conn.close();
  return {
    game,
    ticks: seen,
    encodesPerTick: (after.encodes - before.encodes) / seen,
    sentPerTick: (after.out - before.out - pongs) / seen,
    bytesPerPlayerPerTick: Math.round(bytes / ps.length / seen),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { players: { type: 'string' }, ticks: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } });
  const players = Number(values.players ?? 16);
  const ticks = Number(values.ticks ?? 50);
  const rounds = Number(values.rounds ?? 3);
  const m = machine();
  console.log(describeMachine(m));
  const server = await startShoal({ workers: 1, args: ['--games', FOG] });
  const runs: Run[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const game of ['fog', 'fog-open']) {
        const x = await run(server, game, players, ticks, r);
        console.log(JSON.stringify(x));
        runs.push(x);
      }
    }
  } finally {
    await server.stop();
    await stopAll();
  }
  const of = (game: string, k: keyof Run) => median(runs.filter((x) => x.game === game).map((x) => x[k] as number));
  const figures = {
    players,
    teams: 2,
    encodesPerTick: { withViews: of('fog', 'encodesPerTick'), withoutViews: of('fog-open', 'encodesPerTick'), oneEncodePerPlayer: players },
    sentPerTick: { withViews: of('fog', 'sentPerTick'), withoutViews: of('fog-open', 'sentPerTick') },
    bytesPerPlayerPerTick: { withViews: of('fog', 'bytesPerPlayerPerTick'), withoutViews: of('fog-open', 'bytesPerPlayerPerTick') },
  };
  const loadAtEnd = Math.round((await import('node:os')).loadavg()[0]! * 100) / 100;
  console.log(`views-encodes ${JSON.stringify(figures)} load average ${m.loadAverage1m} at start, ${loadAtEnd} at end`);
  if (values.out) {
    fs.writeFileSync(values.out, JSON.stringify({
      scenario: 'views-encodes',
      date: new Date().toISOString().slice(0, 10),
      what: `Encodes per tick counted by the server (shoal_room_encodes_total on /metrics): ${players} players (half TCP, half WebSocket) in one room of the fog of war module game (test/fixtures/games/fog.mjs), 2 teams, 10 Hz, every unit changing every tick; 'fog' has a view per team, 'fog-open' none. Counted over runs of ${ticks}+ ticks between two pauses, exact; rounds alternate the games, medians over ${rounds} rounds.`,
      command: `node dist/loadtest/views-encodes.js --players ${players} --ticks ${ticks} --rounds ${rounds} --out ${values.out}`,
      machine: m,
      loadAverage1m: { start: m.loadAverage1m, end: loadAtEnd },
      loadNote: 'encode and message counts do not depend on the load; bytes per player per tick neither',
      figures,
      runs,
    }, null, 2) + '\n');
  }
}

await main();
