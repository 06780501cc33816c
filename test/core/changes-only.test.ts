// `hello.changesOnly` (docs/PROTOCOL.md, "Changes only") over real sockets: in one arena room a v1
// client (raw TCP) keeps receiving a `state` every tick, while a client that asked for changes only
// (the client library's option, over WebSocket) gets its full state and then nothing while nobody
// moves, and the change when the other player moves. A `changesOnly` that is not a boolean is
// BAD_MESSAGE naming the field, and the connection may say hello again.
import { describe, expect, it } from 'vitest';
import type { StateMsg } from '../../shared/protocol/messages.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { sleep, startServer, until } from '../helpers/server.js';

// No golden coin, one coin nobody can stand on by chance: nothing changes unless a player moves.
const ARGS = ['--golden-coin-ms', '0', '--coins', '1', '--pickup-radius', '1'];

/** The v1 client's states received since `from` (an index into its messages). */
const statesOf = (raw: RawTcp, from = 0) => (raw.messages.slice(from) as Array<{ t: string; tick: number; full: boolean }>).filter((m) => m.t === 'state');

describe('hello.changesOnly', () => {
  it('sends that player states only in ticks that change something; a v1 player in the same room still gets every tick', async () => {
    const server = await startServer({ workers: 1, args: ARGS });
    try {
      const v1 = await RawTcp.connect(server.port);
      for (const bad of ['yes', 1, null, [true], {}]) {
        v1.send(hello('v1-player', { room: 'quiet', changesOnly: bad }));
        const e = await v1.next((m) => m.t === 'error');
        expect(e).toMatchObject({ code: 'BAD_MESSAGE', fatal: false, message: 'hello.changesOnly must be a boolean' });
      }
      // Not fatal: the same connection joins, as a v1 client (no field; `false` is the same).
      v1.send(hello('v1-player', { room: 'quiet', changesOnly: false }));
      const w1 = await v1.next((m) => m.t === 'welcome');

      const quiet = server.client({ transport: 'ws', name: 'quiet-player', room: 'quiet', changesOnly: true });
      const states: StateMsg[] = [];
      quiet.on('state', (m) => states.push(m));
      const w2 = await quiet.connect();
      expect(w2.room).toBe(w1.room);
      await until(() => states.length > 0, 5000, 'the full state');
      expect(states[0]!.full).toBe(true);
      expect(states[0]!.players.map((p) => p[0]).sort()).toEqual([w1.id, w2.id].sort());

      // Nobody moves: the v1 player gets a state every tick, the quiet one none at all.
      const mark = v1.messages.length;
      await sleep(700);
      const idle = statesOf(v1, mark);
      expect(idle.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < idle.length; i++) expect(idle[i]!.tick).toBe(idle[i - 1]!.tick + 1);
      expect(idle.every((s) => !s.full && (s as unknown as StateMsg).players.length === 0)).toBe(true);
      expect(states).toHaveLength(1);

      // The v1 player moves: the quiet one hears of it.
      v1.send({ t: 'input', seq: 1, dx: 1, dy: 0 });
      await until(() => states.some((s) => !s.full && s.players.some((p) => p[0] === w1.id)), 5000, 'the move reaching the quiet player');
      v1.send({ t: 'input', seq: 2, dx: 0, dy: 0 });
      // Stopped again: once the last move is out, silence for the quiet player, every tick for v1.
      await sleep(300);
      const heard = states.length;
      const mark2 = v1.messages.length;
      await sleep(700);
      expect(states).toHaveLength(heard);
      expect(statesOf(v1, mark2).length).toBeGreaterThanOrEqual(5);

      quiet.close();
      v1.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);
});
