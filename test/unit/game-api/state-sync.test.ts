// The state helper (server/game-api/state-sync.ts) through a context that does what RoomHost does
// with each call (encodes the message once with the protocol codec and hands the same bytes to each
// recipient) and counts the encodes: deltas (added, changed, removed), full states for newcomers,
// views (players of one room receiving different states, one encode per distinct view and tick),
// a player changing view, and entities hidden from a view never reaching its players' bytes. A
// client model applies what each player received, and every player's picture is checked against
// the truth as its view may see it.
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../../shared/protocol/codec.js';
import { StateSync, type SyncMsg, type SyncOutlet } from '../../../server/game-api/state-sync.js';
import { seededRandom } from '../../../loadtest/seeded-random.js';

/** Records per player the bytes it received; each broadcast / send / sendMany is one encode. */
class CountingRoom implements SyncOutlet<SyncMsg> {
  readonly connected = new Set<string>();
  readonly bytes = new Map<string, Uint8Array[]>();
  encodes = 0;
  constructor(private readonly many = true) {
    if (!many) this.sendMany = undefined;
  }
  private deliver(id: string, b: Uint8Array): void {
    if (!this.connected.has(id)) return;
    let l = this.bytes.get(id);
    if (!l) this.bytes.set(id, (l = []));
    l.push(b);
  }
  broadcast(msg: SyncMsg, skip?: ReadonlySet<string>): void {
    const b = encode(msg);
    this.encodes++;
    for (const id of this.connected) if (!skip?.has(id)) this.deliver(id, b);
  }
  send(id: string, msg: SyncMsg): void {
    this.encodes++;
    this.deliver(id, encode(msg));
  }
  sendMany?: (ids: readonly string[], msg: SyncMsg) => void = (ids, msg) => {
    const b = encode(msg);
    this.encodes++;
    for (const id of ids) this.deliver(id, b);
  };
  /** Messages a player received, decoded, and forgotten. */
  take(id: string): SyncMsg[] {
    const l = this.bytes.get(id) ?? [];
    this.bytes.set(id, []);
    return l.map((b) => decode(b) as SyncMsg);
  }
}

/** A client: applies upserts then removals per collection; a full state replaces everything. */
class Model {
  readonly maps = new Map<string, Map<unknown, unknown>>();
  constructor(private readonly fields: Array<[string, string]>) {
    for (const [f] of fields) this.maps.set(f, new Map());
  }
  apply(m: SyncMsg): void {
    for (const [f, r] of this.fields) {
      const map = this.maps.get(f)!;
      if (m.full) map.clear();
      for (const e of m[f] as unknown[][]) map.set(e[0], e);
      for (const id of m[r] as unknown[]) map.delete(id);
    }
  }
  ids(f: string): unknown[] {
    return [...this.maps.get(f)!.keys()].sort();
  }
}

interface Unit { id: string; x: number; team: 'red' | 'blue' | 'all' }
const unitWire = (u: Unit) => [u.id, u.x, u.team];

describe('state sync without views', () => {
  it('sends newcomers a full state, everyone else only what was added, changed and removed, in declared field order', () => {
    const room = new CountingRoom();
    const sync = new StateSync(room);
    const units = sync.collection<string, Unit>('units', { wire: unitWire });
    const flags = sync.collection<number, { id: number; held: boolean }>('flags', { wire: (f) => [f.id, f.held], removed: 'dropped' });
    units.set('u1', { id: 'u1', x: 1, team: 'all' }).set('u2', { id: 'u2', x: 2, team: 'all' });
    flags.set(7, { id: 7, held: false });
    sync.settle();
    room.connected.add('a');
    sync.fresh('a');
    sync.flush(1);
    const [full] = room.take('a');
    expect(full).toEqual({
      t: 'sync', tick: 1, full: true,
      units: [['u1', 1, 'all'], ['u2', 2, 'all']], unitsRemoved: [], flags: [[7, false]], dropped: [],
    });
    expect(Object.keys(full!)).toEqual(['t', 'tick', 'full', 'units', 'unitsRemoved', 'flags', 'dropped']);

    // Changed in place (u2 before u1 in time, listed in insertion order), added, removed.
    units.get('u2')!.x = 20;
    units.changed('u2');
    units.get('u1')!.x = 10;
    units.changed('u1');
    units.set('u3', { id: 'u3', x: 3, team: 'all' });
    flags.delete(7);
    room.connected.add('b');
    sync.fresh('b');
    room.encodes = 0;
    sync.flush(2);
    expect(room.take('a')).toEqual([{
      t: 'sync', tick: 2, full: false,
      units: [['u1', 10, 'all'], ['u2', 20, 'all'], ['u3', 3, 'all']], unitsRemoved: [], flags: [], dropped: [7],
    }]);
    // The newcomer gets only the full state, as it is now.
    expect(room.take('b')).toEqual([{
      t: 'sync', tick: 2, full: true,
      units: [['u1', 10, 'all'], ['u2', 20, 'all'], ['u3', 3, 'all']], unitsRemoved: [], flags: [], dropped: [],
    }]);
    // One delta for everyone, one full state for the newcomers.
    expect(room.encodes).toBe(2);

    // Nothing changed: an empty delta still marks the tick; one encode.
    room.encodes = 0;
    sync.flush(3);
    expect(room.take('a')).toEqual([{ t: 'sync', tick: 3, full: false, units: [], unitsRemoved: [], flags: [], dropped: [] }]);
    expect(room.take('b')).toHaveLength(1);
    expect(room.encodes).toBe(1);
  });

  it('lists an entity added and removed between two flushes in both lists; one removed and added again is there', () => {
    const room = new CountingRoom();
    const sync = new StateSync(room, { type: 'world' });
    const units = sync.collection<string, Unit>('units', { wire: unitWire, field: 'u', removed: 'uGone' });
    units.set('keep', { id: 'keep', x: 0, team: 'all' });
    room.connected.add('a');
    sync.fresh('a');
    sync.flush(1);
    const model = new Model([['u', 'uGone']]);
    for (const m of room.take('a')) model.apply(m);
    units.set('brief', { id: 'brief', x: 1, team: 'all' });
    units.delete('brief');
    units.delete('keep');
    units.set('keep', { id: 'keep', x: 5, team: 'all' });
    sync.flush(2);
    const [d] = room.take('a');
    expect(d).toEqual({ t: 'world', tick: 2, full: false, u: [['brief', 1, 'all'], ['keep', 5, 'all']], uGone: ['brief'] });
    model.apply(d!);
    expect(model.ids('u')).toEqual(['keep']);
    expect(model.maps.get('u')!.get('keep')).toEqual(['keep', 5, 'all']);
  });

  it('refuses a reserved or repeated field, visible() without views, and a collection or settle() after the first flush', () => {
    const sync = new StateSync(new CountingRoom());
    expect(() => sync.collection('tick', { wire: unitWire })).toThrow(expect.objectContaining({ code: 'BAD_SYNC_SETUP' }));
    sync.collection('units', { wire: unitWire });
    expect(() => sync.collection('more', { wire: unitWire, field: 'units' })).toThrow(/used twice/);
    expect(() => sync.collection('more', { wire: unitWire, removed: 'unitsRemoved' })).toThrow(/used twice/);
    expect(() => sync.collection('seen', { wire: unitWire, visible: () => true })).toThrow(/no view/);
    sync.flush(1);
    expect(() => sync.collection('late', { wire: unitWire })).toThrow(/after the first flush/);
    expect(() => sync.settle()).toThrow(/after the first flush/);
  });
});

describe('state sync with views', () => {
  /** 16 players in two teams; units of each team, and some everyone sees. */
  function teams(opts: { many?: boolean } = {}) {
    const room = new CountingRoom(opts.many ?? true);
    const team = new Map<string, 'red' | 'blue'>();
    const sync = new StateSync(room, { view: (id) => team.get(id)! });
    const units = sync.collection<string, Unit>('units', {
      wire: unitWire, visible: (u, view) => u.team === 'all' || u.team === view,
    });
    const scores = sync.collection<string, { id: string; n: number }>('scores', { wire: (s) => [s.id, s.n] });
    const players: string[] = [];
    for (let i = 0; i < 16; i++) {
      const id = `p${i}`;
      players.push(id);
      team.set(id, i % 2 ? 'blue' : 'red');
      room.connected.add(id);
      sync.fresh(id);
      scores.set(id, { id, n: 0 });
    }
    for (let i = 0; i < 6; i++) {
      units.set(`red-${i}`, { id: `red-${i}`, x: i, team: 'red' });
      units.set(`blue-${i}`, { id: `blue-${i}`, x: i, team: 'blue' });
    }
    units.set('flag', { id: 'flag', x: 50, team: 'all' });
    const models = new Map(players.map((p) => [p, new Model([['units', 'unitsRemoved'], ['scores', 'scoresRemoved']])]));
    const receive = () => {
      for (const p of players) for (const m of room.take(p)) models.get(p)!.apply(m);
    };
    const truth = (view: string) => [...units.values()].filter((u) => u.team === 'all' || u.team === view).map((u) => u.id).sort();
    return { room, sync, units, scores, team, players, models, receive, truth };
  }

  it('two players of one room receive different states, each view encoded once per tick (16 players, 2 teams)', () => {
    const t = teams();
    t.sync.flush(1);
    // Full states: one per view (the delta is not even built for views with only newcomers).
    expect(t.room.encodes).toBe(2);
    const red = t.room.take('p0');
    const blue = t.room.take('p1');
    expect(red).toHaveLength(1);
    expect(red[0]!.full).toBe(true);
    expect(red[0]!.units).not.toEqual(blue[0]!.units);
    const p2 = t.room.take('p2');
    expect(Buffer.from(encode(p2[0])).equals(Buffer.from(encode(red[0])))).toBe(true);
    t.models.get('p2')!.apply(p2[0]!);
    t.models.get('p0')!.apply(red[0]!);
    t.models.get('p1')!.apply(blue[0]!);
    t.receive();
    const figures: Array<{ tick: number; encodes: number }> = [];
    for (let tick = 2; tick <= 11; tick++) {
      t.room.encodes = 0;
      for (const u of t.units.values()) {
        u.x++;
        t.units.changed(u.id);
      }
      t.scores.get(`p${tick % 16}`)!.n++;
      t.scores.changed(`p${tick % 16}`);
      t.sync.flush(tick);
      figures.push({ tick, encodes: t.room.encodes });
      t.receive();
    }
    // Steady state: one encode per distinct view, not per player.
    expect(figures.every((f) => f.encodes === 2)).toBe(true);
    for (const p of t.players) {
      expect(t.models.get(p)!.ids('units'), p).toEqual(t.truth(t.team.get(p)!));
      expect(t.models.get(p)!.ids('scores'), p).toEqual(t.players.slice().sort());
    }
    // The same script without views: one encode a tick. The figure for the closing note.
    const flat = new CountingRoom();
    const sync = new StateSync(flat);
    const units = sync.collection<string, Unit>('units', { wire: unitWire });
    for (const p of t.players) {
      flat.connected.add(p);
      sync.fresh(p);
    }
    for (const u of t.units.values()) units.set(u.id, { ...u });
    sync.flush(1);
    flat.encodes = 0;
    for (let tick = 2; tick <= 11; tick++) {
      for (const u of units.values()) units.changed(u.id);
      sync.flush(tick);
    }
    expect(flat.encodes).toBe(10);
    console.log(`encodes-per-tick ${JSON.stringify({ players: 16, views: 2, withViews: 2, withoutViews: flat.encodes / 10, perPlayerEncoding: 16 })}`);
  });

  it('entities hidden from a view never reach its players, also not in full states', () => {
    const t = teams();
    t.units.set('blue-secret', { id: 'blue-secret', x: 1, team: 'blue' });
    for (let tick = 1; tick <= 5; tick++) {
      t.units.get('blue-secret')!.x = tick;
      t.units.changed('blue-secret');
      if (tick === 3) {
        t.sync.fresh('p0'); // a red player resumes: a full state of the red view
        t.units.set('blue-late', { id: 'blue-late', x: 0, team: 'blue' });
      }
      if (tick === 4) t.units.delete('blue-late');
      t.sync.flush(tick);
      for (const p of t.players) {
        const text = Buffer.concat(t.room.bytes.get(p) ?? []).toString('latin1');
        const red = t.team.get(p) === 'red';
        expect(text.includes(red ? 'blue-' : 'red-'), `${p} at ${tick}`).toBe(false);
        // The blue view does get it, every tick it changes.
        if (!red) expect(text.includes('blue-secret'), `${p} at ${tick}`).toBe(true);
      }
      t.receive();
    }
    for (const p of t.players) expect(t.models.get(p)!.ids('units')).toEqual(t.truth(t.team.get(p)!));
  });

  it('an entity that becomes hidden is removed from the view, and added when it shows again', () => {
    const t = teams();
    t.sync.flush(1);
    t.receive();
    const flag = t.units.get('flag')!;
    flag.team = 'blue';
    t.units.changed('flag');
    t.sync.flush(2);
    const red = t.room.take('p0');
    const blue = t.room.take('p1');
    expect(red[0]!.unitsRemoved).toEqual(['flag']);
    expect(red[0]!.units).toEqual([]);
    expect(blue[0]!.units).toEqual([['flag', 50, 'blue']]);
    expect(blue[0]!.unitsRemoved).toEqual([]);
    flag.team = 'red';
    t.units.changed('flag');
    t.sync.flush(3);
    expect(t.room.take('p0')[0]!.units).toEqual([['flag', 50, 'red']]);
    expect(t.room.take('p1')[0]!.unitsRemoved).toEqual(['flag']);
  });

  it('a player whose view changes gets what appeared (added) and what disappeared (removed), once per move', () => {
    const t = teams();
    t.sync.flush(1);
    t.receive();
    t.units.get('red-0')!.x = 99;
    t.units.changed('red-0');
    t.units.get('blue-1')!.x = 77;
    t.units.changed('blue-1');
    t.team.set('p0', 'blue');
    t.team.set('p2', 'blue');
    t.room.encodes = 0;
    t.sync.flush(2);
    // Red delta, blue delta, and one message for both movers.
    expect(t.room.encodes).toBe(3);
    const [moved] = t.room.take('p0');
    expect(t.room.take('p2')).toEqual([moved]);
    expect(moved!.full).toBe(false);
    expect((moved!.units as unknown[][]).map((u) => u[0]).sort()).toEqual(['blue-0', 'blue-1', 'blue-2', 'blue-3', 'blue-4', 'blue-5']);
    expect(moved!.units).toContainEqual(['blue-1', 77, 'blue']);
    expect((moved!.unitsRemoved as string[]).sort()).toEqual(['red-0', 'red-1', 'red-2', 'red-3', 'red-4', 'red-5']);
    t.models.get('p0')!.apply(moved!);
    t.models.get('p2')!.apply(moved!);
    t.receive();
    expect(t.models.get('p0')!.ids('units')).toEqual(t.truth('blue'));
    // From now on they get the blue view's bytes.
    t.room.encodes = 0;
    t.sync.flush(3);
    expect(t.room.encodes).toBe(2);
    expect(t.room.take('p0')).toEqual(t.room.take('p1'));
  });

  it('random play: every player always pictures exactly what its view may see', () => {
    const t = teams();
    const rnd = seededRandom(42);
    const teamsOf = ['red', 'blue', 'all'] as const;
    let next = 0;
    for (let tick = 1; tick <= 300; tick++) {
      for (let k = 0; k < 6; k++) {
        const r = rnd();
        const ids = [...t.units.keys()];
        if (r < 0.25) t.units.set(`n${next}`, { id: `n${next++}`, x: 0, team: teamsOf[Math.floor(rnd() * 3)]! });
        else if (r < 0.4 && ids.length) t.units.delete(ids[Math.floor(rnd() * ids.length)]!);
        else if (r < 0.8 && ids.length) {
          const u = t.units.get(ids[Math.floor(rnd() * ids.length)]!)!;
          u.x++;
          if (rnd() < 0.3) u.team = teamsOf[Math.floor(rnd() * 3)]!;
          t.units.changed(u.id);
        } else if (r < 0.9) {
          const p = t.players[Math.floor(rnd() * 16)]!;
          t.team.set(p, t.team.get(p) === 'red' ? 'blue' : 'red');
        } else if (r < 0.95) {
          t.sync.fresh(t.players[Math.floor(rnd() * 16)]!);
        } else {
          // Added and removed before the flush.
          t.units.set('blink', { id: 'blink', x: 0, team: 'red' });
          t.units.delete('blink');
        }
      }
      t.sync.flush(tick);
      t.receive();
      for (const p of t.players) {
        expect(t.models.get(p)!.ids('units'), `${p} at tick ${tick}`).toEqual(t.truth(t.team.get(p)!));
      }
    }
  });

  it('recheck() re-evaluates visibility that depends on more than the entity', () => {
    const room = new CountingRoom();
    let sight = 10;
    const sync = new StateSync(room, { view: () => 'me' });
    const units = sync.collection<string, Unit>('units', { wire: unitWire, visible: (u) => u.x <= sight });
    units.set('near', { id: 'near', x: 5, team: 'all' }).set('far', { id: 'far', x: 20, team: 'all' });
    room.connected.add('a');
    sync.fresh('a');
    sync.flush(1);
    expect(room.take('a')[0]!.units).toEqual([['near', 5, 'all']]);
    sight = 30;
    sync.flush(2);
    expect(room.take('a')[0]!.units).toEqual([]);
    sync.recheck();
    sync.flush(3);
    expect(room.take('a')[0]!.units).toEqual([['far', 20, 'all']]);
    sight = 0;
    sync.recheck();
    sync.flush(4);
    expect(room.take('a')[0]!.unitsRemoved).toEqual(['near', 'far']);
  });

  it('without sendMany (a context that has only broadcast and send) views fall back to one send per player', () => {
    const t = teams({ many: false });
    t.sync.flush(1);
    expect(t.room.encodes).toBe(16);
    t.receive();
    t.room.encodes = 0;
    t.sync.flush(2);
    expect(t.room.encodes).toBe(16);
    t.receive();
    for (const p of t.players) expect(t.models.get(p)!.ids('units')).toEqual(t.truth(t.team.get(p)!));
  });
});
