// The state helper's "no change" signal (server/game-api/state-sync.ts), which lets a room skip the
// players whose hello asked for changes only: a delta is marked `unchanged` exactly when every one
// of its lists is empty, with and without views, and a full state never is. An outlet records each
// call with its mark; the checks compare the mark with the message itself.
import { describe, expect, it } from 'vitest';
import { StateSync, type SyncMsg, type SyncOutlet } from '../../../server/game-api/state-sync.js';
import { seededRandom } from '../../../loadtest/seeded-random.js';

interface Call { how: 'broadcast' | 'sendMany' | 'send'; ids: readonly string[] | null; msg: SyncMsg; unchanged: boolean | undefined }

class RecordingOutlet implements SyncOutlet<SyncMsg> {
  calls: Call[] = [];
  broadcast(msg: SyncMsg, _skip?: ReadonlySet<string>, unchanged?: boolean): void {
    this.calls.push({ how: 'broadcast', ids: null, msg: structuredClone(msg), unchanged });
  }
  send(id: string, msg: SyncMsg): void {
    this.calls.push({ how: 'send', ids: [id], msg: structuredClone(msg), unchanged: undefined });
  }
  sendMany(ids: readonly string[], msg: SyncMsg, unchanged?: boolean): void {
    this.calls.push({ how: 'sendMany', ids: [...ids], msg: structuredClone(msg), unchanged });
  }
  take(): Call[] {
    const c = this.calls;
    this.calls = [];
    return c;
  }
}

const LISTS = ['units', 'unitsRemoved', 'scores', 'scoresRemoved'];
const empty = (m: SyncMsg) => LISTS.every((f) => (m[f] as unknown[]).length === 0);

interface Unit { id: string; x: number; team: 'red' | 'blue' | 'all' }
const unitWire = (u: Unit) => [u.id, u.x, u.team];

describe('state sync marks a delta that changes nothing', () => {
  it('without views: unchanged exactly when no entity was added, changed or removed; full states never', () => {
    const out = new RecordingOutlet();
    const sync = new StateSync(out);
    const units = sync.collection<string, Unit>('units', { wire: unitWire });
    const scores = sync.collection<string, { id: string; n: number }>('scores', { wire: (s) => [s.id, s.n] });
    units.set('u1', { id: 'u1', x: 1, team: 'all' });
    sync.settle();
    sync.fresh('a');
    sync.flush(1);
    // The delta for everyone else (nobody yet) is empty; the newcomer's full state is not marked.
    expect(out.take().map((c) => [c.how, c.msg.full, c.unchanged])).toEqual([['broadcast', false, true], ['sendMany', true, false]]);

    sync.flush(2);
    expect(out.take().map((c) => [c.how, c.unchanged])).toEqual([['broadcast', true]]);

    units.get('u1')!.x = 5;
    units.changed('u1');
    sync.flush(3);
    expect(out.take().map((c) => [c.how, c.unchanged])).toEqual([['broadcast', false]]);

    // Only a removal, in the second collection: still a change.
    scores.set('s', { id: 's', n: 1 });
    sync.flush(4);
    expect(out.take()[0]!.unchanged).toBe(false);
    scores.delete('s');
    sync.flush(5);
    const [removal] = out.take();
    expect(removal!.msg.scoresRemoved).toEqual(['s']);
    expect(removal!.unchanged).toBe(false);

    // Added and removed between two flushes: listed in both, so a change.
    units.set('brief', { id: 'brief', x: 0, team: 'all' });
    units.delete('brief');
    sync.flush(6);
    expect(out.take()[0]!.unchanged).toBe(false);

    // A change marked then nothing: the next tick is empty again.
    sync.flush(7);
    expect(out.take()[0]!.unchanged).toBe(true);
  });

  it('with views: each view\'s delta is marked by its own lists (a change only red sees leaves blue unchanged), movers too', () => {
    const out = new RecordingOutlet();
    const team = new Map<string, 'red' | 'blue'>([['r', 'red'], ['b', 'blue']]);
    const sync = new StateSync(out, { view: (id) => team.get(id)! });
    const units = sync.collection<string, Unit>('units', { wire: unitWire, visible: (u, v) => u.team === 'all' || u.team === v });
    sync.collection<string, { id: string; n: number }>('scores', { wire: (s) => [s.id, s.n] });
    units.set('red-1', { id: 'red-1', x: 1, team: 'red' });
    units.set('flag', { id: 'flag', x: 0, team: 'all' });
    sync.settle();
    sync.fresh('r');
    sync.fresh('b');
    sync.flush(1);
    expect(out.take().every((c) => c.msg.full && c.unchanged === false)).toBe(true);

    sync.flush(2);
    expect(out.take().map((c) => [c.ids, c.unchanged])).toEqual([[['r'], true], [['b'], true]]);

    units.get('red-1')!.x = 2;
    units.changed('red-1');
    sync.flush(3);
    expect(out.take().map((c) => [c.ids, c.unchanged])).toEqual([[['r'], false], [['b'], true]]);

    // A red player moves to blue: it must hear that red-1 is gone (a change), blue has nothing new.
    team.set('r', 'blue');
    sync.flush(4);
    const moved = out.take();
    expect(moved.map((c) => [c.ids, c.unchanged])).toEqual([[['r'], false], [['b'], true]]);
    expect(moved[0]!.msg.unitsRemoved).toEqual(['red-1']);
  });

  it('random play, with and without views: unchanged is exactly "every list empty", never on a full state', () => {
    for (const withViews of [false, true]) {
      const rnd = seededRandom(withViews ? 7 : 3);
      const out = new RecordingOutlet();
      const team = new Map<string, 'red' | 'blue'>();
      const sync = new StateSync(out, withViews ? { view: (id) => team.get(id)! } : {});
      const units = sync.collection<string, Unit>('units', withViews
        ? { wire: unitWire, visible: (u, v) => u.team === 'all' || u.team === v }
        : { wire: unitWire });
      const scores = sync.collection<string, { id: string; n: number }>('scores', { wire: (s) => [s.id, s.n] });
      const players = ['p0', 'p1', 'p2', 'p3'];
      for (const [i, p] of players.entries()) {
        team.set(p, i % 2 ? 'blue' : 'red');
        sync.fresh(p);
      }
      let marked = 0;
      let unmarked = 0;
      for (let tick = 1; tick <= 400; tick++) {
        // Mostly quiet ticks, so both marks occur often.
        const r = rnd();
        const id = `u${Math.floor(rnd() * 6)}`;
        if (r < 0.15) units.set(id, { id, x: tick, team: (['red', 'blue', 'all'] as const)[Math.floor(rnd() * 3)]! });
        else if (r < 0.25) units.delete(id);
        else if (r < 0.3 && units.has(id)) {
          units.get(id)!.x = tick;
          units.changed(id);
        } else if (r < 0.35) scores.set(id, { id, n: tick });
        else if (r < 0.4) scores.delete(id);
        else if (r < 0.43) {
          const p = players[Math.floor(rnd() * 4)]!;
          team.set(p, team.get(p) === 'red' ? 'blue' : 'red');
        } else if (r < 0.45) sync.fresh(players[Math.floor(rnd() * 4)]!);
        sync.flush(tick);
        for (const c of out.take()) {
          if (c.msg.full) expect(c.unchanged).toBe(false);
          else expect(c.unchanged).toBe(empty(c.msg));
          if (c.unchanged) marked++;
          else unmarked++;
        }
      }
      expect(marked).toBeGreaterThan(50);
      expect(unmarked).toBeGreaterThan(50);
    }
  });
});
