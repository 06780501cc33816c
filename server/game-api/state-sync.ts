// State sync for games: a game keeps its entities in collections (maps by id) and says what it
// changed; at each flush this sends newcomers a full state and everyone else only what changed since
// the last flush, encoded once per tick. With views (fog of war, area of interest, a hand of cards)
// it encodes once per distinct view rather than once per player, and an entity hidden from a view
// never reaches that view's players. It owns "who has been told what" so no game hand-writes deltas.
//
// The wire: one message per flush, `{ t, tick, full, <field>: [wire(e)...], <removed>: [id...], ... }`
// with the collections in the order they were declared. A client applies `<field>` (add or replace
// by id) then `<removed>`; `full: true` replaces everything it had. An entity added and removed
// between two flushes is listed in both (the client sees it appear and go, e.g. a coin taken the
// tick it was placed). A delta with every list empty still goes (the v1 contract sends a state every
// tick), marked `unchanged` to the outlet, which skips the players who asked for changes only.
import { CodedError } from '../../shared/errors/coded-error.js';

export type EntityId = string | number;

/**
 * What the helper needs of a room's context (`RoomContext` has it). Each call encodes the message
 * once; with `sendMany` (encode once for the listed players) full states and views cost one encode
 * per distinct message; without it they fall back to `send`, one encode per player. A message is
 * read only during the call: the helper reuses its empty delta from tick to tick.
 */
export interface SyncOutlet<M> {
  /**
   * Encodes once; sends to every connected player except those in `skip`. `unchanged`: the message
   * is a delta that carries no change (every list empty), so a player who asked for changes only
   * (`hello.changesOnly`) need not receive it.
   */
  broadcast(msg: M, skip?: ReadonlySet<string>, unchanged?: boolean): void;
  send(playerId: string, msg: M): void;
  sendMany?(playerIds: readonly string[], msg: M, unchanged?: boolean): void;
}

/** The generic message (`t: 'sync'` unless the game names its own type). */
export interface SyncMsg {
  t: string;
  tick: number;
  full: boolean;
  [field: string]: unknown;
}

export interface StateSyncOptions {
  /** The messages' `t`. Default 'sync'; the arena keeps its 'state'. */
  type?: string;
  /**
   * Views: a player's view key (a team, an area cell, a seat). Players with the same key receive
   * the same bytes; each collection's `visible` says what a view may see. Absent: one view, everyone
   * sees everything and a delta is one broadcast. With views only players the helper was told of
   * (`fresh`, until `leave`) receive states, so a spectator must be marked fresh like a player.
   */
  view?: (playerId: string) => string;
}

export interface CollectionOptions<E> {
  /** An entity as it goes on the wire (a tuple is the most compact): called at most once per entity per flush. */
  wire: (entity: E) => unknown;
  /** The message field listing added and changed entities. Default: the collection's name. */
  field?: string;
  /** The message field listing removed ids. Default: `<field>Removed`. */
  removed?: string;
  /**
   * With views: may this view see the entity? Evaluated when the entity is added or changed (and for
   * every entity after `recheck()`), so it must depend only on the entity and the view key. Absent:
   * every view sees it.
   */
  visible?: (entity: E, view: string) => boolean;
}

const NONE = 0;
const CHANGED = 1;
const ADDED = 2;

interface Slot<K, E> {
  readonly key: K;
  entity: E;
  /** Insertion order: deltas list entities in the order they were added, like a full state. */
  readonly seq: number;
  /** NONE, CHANGED or ADDED since the last flush. */
  mark: number;
  /** Deleted since the last flush. */
  dead: boolean;
  wired: unknown;
  wiredAt: number;
}

const EMPTY: readonly never[] = Object.freeze([]);
const RESERVED = new Set(['t', 'tick', 'full']);

type Parts = [unknown[], readonly EntityId[]];

/** What StateSync asks of a collection, free of its entity type. */
interface Part {
  readonly field: string;
  readonly removedField: string;
  readonly filtered: boolean;
  begin(flushNo: number): void;
  delta(): Parts;
  /** Anything added, changed or removed since the last flush. */
  readonly pending: boolean;
  /** Everyone's delta into `msg`, its marks cleared on the way (the flush without views); false: it is empty. */
  writeDelta(msg: Record<string, unknown>): boolean;
  all(): unknown[];
  scan(view: string): Set<EntityId>;
  visibleTo(known: ReadonlySet<EntityId>): unknown[];
  viewDelta(view: string, known: Set<EntityId>, recheck: boolean): Parts;
  moveDelta(view: string, knownBefore: ReadonlySet<EntityId>): Parts;
  end(): void;
}

/**
 * Entities by id, as a ReadonlyMap, plus the three writes the helper must hear about: `set` (add or
 * replace), `changed` (mutated in place), `delete`.
 */
export interface SyncedCollection<K extends EntityId, E> extends ReadonlyMap<K, E> {
  /** Adds an entity, or replaces the one with this id (then it counts as changed). */
  set(id: K, entity: E): this;
  /** The entity with this id was mutated in place. False when there is none. */
  changed(id: K): boolean;
  /** Removes an entity; players who were shown it get its id in the removed list. */
  delete(id: K): boolean;
}

// A Map underneath, so a game's reads (get, has, values, iteration) are the builtin's own.
class TrackedCollection<K extends EntityId, E> extends Map<K, E> implements SyncedCollection<K, E>, Part {
  readonly field: string;
  readonly removedField: string;
  readonly filtered: boolean;
  private readonly slots = new Map<K, Slot<K, E>>();
  /** Slots marked since the last flush (live or dead): the first `nMarked`, sorted by seq at flush.
   *  Reused from tick to tick (a slot past nMarked is stale until overwritten). */
  private readonly marked: Slot<K, E>[] = [];
  private nMarked = 0;
  /** Ids deleted since the last flush, in order. */
  private removed: K[] = [];
  private nextSeq = 0;
  private flushNo = 0;
  private readonly wireFn: (entity: E) => unknown;
  private readonly visibleFn: ((entity: E, view: string) => boolean) | undefined;

  /** Made by `StateSync.collection`. */
  constructor(field: string, opts: CollectionOptions<E>) {
    super();
    this.field = field;
    this.removedField = opts.removed ?? `${field}Removed`;
    this.wireFn = opts.wire;
    this.visibleFn = opts.visible;
    this.filtered = opts.visible !== undefined;
  }

  // --- writes ---------------------------------------------------------------------------------
  override set(id: K, entity: E): this {
    super.set(id, entity);
    const old = this.slots.get(id);
    if (old) {
      old.entity = entity;
      this.mark(old, CHANGED);
      return this;
    }
    const s: Slot<K, E> = { key: id, entity, seq: this.nextSeq++, mark: NONE, dead: false, wired: undefined, wiredAt: -1 };
    this.slots.set(id, s);
    // Deleted and added again since the last flush: it is there, not gone.
    if (this.removed.length !== 0) {
      const i = this.removed.indexOf(id);
      if (i >= 0) this.removed.splice(i, 1);
    }
    this.mark(s, ADDED);
    return this;
  }

  /** Removes every entity, each as `delete` does. */
  override clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }

  changed(id: K): boolean {
    const s = this.slots.get(id);
    if (!s) return false;
    this.mark(s, CHANGED);
    return true;
  }

  override delete(id: K): boolean {
    const s = this.slots.get(id);
    if (!s) return false;
    this.slots.delete(id);
    super.delete(id);
    s.dead = true;
    this.mark(s, CHANGED);
    this.removed.push(id);
    return true;
  }

  private mark(s: Slot<K, E>, m: number): void {
    if (s.mark === NONE) {
      s.mark = m;
      this.marked[this.nMarked++] = s;
    } else if (m === ADDED) {
      s.mark = ADDED;
    }
  }

  private wire(s: Slot<K, E>): unknown {
    if (s.wiredAt !== this.flushNo) {
      s.wired = this.wireFn(s.entity);
      s.wiredAt = this.flushNo;
    }
    return s.wired;
  }

  private visible(s: Slot<K, E>, view: string): boolean {
    return this.visibleFn ? this.visibleFn(s.entity, view) : true;
  }

  // --- Part: what StateSync uses at a flush --------------------------------------------------------
  get pending(): boolean {
    return this.nMarked !== 0 || this.removed.length !== 0;
  }

  begin(flushNo: number): void {
    this.flushNo = flushNo;
    const m = this.marked;
    const n = this.nMarked;
    for (let i = 1; i < n; i++) {
      if (m[i - 1]!.seq > m[i]!.seq) {
        const sorted = m.slice(0, n).sort((a, b) => a.seq - b.seq);
        for (let j = 0; j < n; j++) m[j] = sorted[j]!;
        break;
      }
    }
  }

  writeDelta(msg: Record<string, unknown>): boolean {
    const ups: unknown[] = [];
    const m = this.marked;
    for (let i = 0; i < this.nMarked; i++) {
      const s = m[i]!;
      if (!s.dead || s.mark === ADDED) ups.push(this.wireFn(s.entity));
      s.mark = NONE;
    }
    this.nMarked = 0;
    msg[this.field] = ups;
    msg[this.removedField] = this.removed.length ? this.removed : EMPTY;
    return ups.length !== 0 || this.removed.length !== 0;
  }

  /** Everyone's delta: live marked entities, and those added and removed since the last flush. */
  delta(): Parts {
    const ups: unknown[] = [];
    for (let i = 0; i < this.nMarked; i++) {
      const s = this.marked[i]!;
      if (!s.dead || s.mark === ADDED) ups.push(this.wire(s));
    }
    return [ups, this.removed.length ? this.removed : EMPTY];
  }

  all(): unknown[] {
    const out: unknown[] = [];
    for (const s of this.slots.values()) out.push(this.wire(s));
    return out;
  }

  /** The ids a new view sees. */
  scan(view: string): Set<EntityId> {
    const known = new Set<EntityId>();
    for (const s of this.slots.values()) if (this.visible(s, view)) known.add(s.key);
    return known;
  }

  visibleTo(known: ReadonlySet<EntityId>): unknown[] {
    const out: unknown[] = [];
    for (const s of this.slots.values()) if (known.has(s.key)) out.push(this.wire(s));
    return out;
  }

  /** A view's delta; brings what it knows up to date. */
  viewDelta(view: string, known: Set<EntityId>, recheck: boolean): Parts {
    const ups: unknown[] = [];
    const rem: EntityId[] = [];
    const step = (s: Slot<K, E>): void => {
      if (s.dead) {
        // Added and removed since the last flush: shown and removed, like everyone's delta.
        if (s.mark === ADDED && this.visible(s, view)) {
          ups.push(this.wire(s));
          known.add(s.key);
        }
        return;
      }
      const was = known.has(s.key);
      if (this.visible(s, view)) {
        if (!was) known.add(s.key);
        if (!was || s.mark !== NONE) ups.push(this.wire(s));
      } else if (was) {
        known.delete(s.key);
        rem.push(s.key);
      }
    };
    if (recheck) {
      for (const s of this.slots.values()) step(s);
      for (let i = 0; i < this.nMarked; i++) if (this.marked[i]!.dead) step(this.marked[i]!);
    } else {
      for (let i = 0; i < this.nMarked; i++) step(this.marked[i]!);
    }
    for (const id of this.removed) if (known.delete(id)) rem.push(id);
    return [ups, rem];
  }

  /** For players moving into `view` who know what another view knew at the last flush. */
  moveDelta(view: string, knownBefore: ReadonlySet<EntityId>): Parts {
    const ups: unknown[] = [];
    const rem: EntityId[] = [];
    for (const s of this.slots.values()) {
      const was = knownBefore.has(s.key);
      if (this.visible(s, view)) {
        if (!was || s.mark !== NONE) ups.push(this.wire(s));
      } else if (was) {
        rem.push(s.key);
      }
    }
    for (const id of this.removed) if (knownBefore.has(id)) rem.push(id);
    return [ups, rem];
  }

  end(): void {
    for (let i = 0; i < this.nMarked; i++) this.marked[i]!.mark = NONE;
    this.nMarked = 0;
    if (this.removed.length) this.removed = [];
  }
}

interface SyncPlayer {
  /** The view it was sent at the last flush (null: none yet). */
  view: string | null;
  fresh: boolean;
}

interface ViewGroup {
  steady: string[];
  fresh: string[];
  /** Players coming from another view, by the view they leave. */
  movers: Map<string, string[]> | null;
}

/** The state helper: declare collections, mark newcomers fresh, flush once a tick. */
export class StateSync<M extends object = SyncMsg> {
  private readonly parts: Part[] = [];
  private readonly type: string;
  private readonly viewOf: ((playerId: string) => string) | undefined;
  private readonly players = new Map<string, SyncPlayer>();
  private readonly freshIds = new Set<string>();
  /** With views: per view key, the ids of each filtered collection its players have been shown. */
  private readonly views = new Map<string, Array<Set<EntityId> | null>>();
  private flushes = 0;
  private rechecking = false;
  private shape: Record<string, unknown> | null = null;
  /** The delta of a tick in which nothing changed (every list empty): one object, its tick updated. */
  private emptyDelta: Record<string, unknown> | null = null;

  constructor(private readonly out: SyncOutlet<M>, opts: StateSyncOptions = {}) {
    this.type = opts.type ?? 'sync';
    this.viewOf = opts.view;
  }

  /** Declares a collection (before the first flush); its fields follow the earlier ones' in every message. */
  collection<K extends EntityId, E>(name: string, opts: CollectionOptions<E>): SyncedCollection<K, E> {
    if (this.flushes !== 0) throw new CodedError('BAD_SYNC_SETUP', `collection ${name} declared after the first flush`);
    const c = new TrackedCollection<K, E>(opts.field ?? name, opts);
    const taken = new Set(RESERVED);
    for (const p of this.parts) taken.add(p.field).add(p.removedField);
    for (const f of [c.field, c.removedField]) {
      if (taken.has(f) || f === '' || c.field === c.removedField) {
        throw new CodedError('BAD_SYNC_SETUP', `collection ${name}: field ${JSON.stringify(f)} is reserved or used twice`);
      }
    }
    if (c.filtered && !this.viewOf) throw new CodedError('BAD_SYNC_SETUP', `collection ${name} has visible() but the sync has no view`);
    this.parts.push(c);
    return c;
  }

  /** The player needs a full state at the next flush (it joined, resumed or was thawed). */
  fresh(playerId: string): void {
    const p = this.players.get(playerId);
    if (p) p.fresh = true;
    else this.players.set(playerId, { view: null, fresh: true });
    this.freshIds.add(playerId);
  }

  /** The player left the room for good. */
  leave(playerId: string): void {
    this.players.delete(playerId);
    this.freshIds.delete(playerId);
  }

  /** Visibility depends on more than the entities (say, a team's sight): re-evaluate all at the next flush. */
  recheck(): void {
    this.rechecking = true;
  }

  /** Before the first flush: forgets the changes made so far (building a room, say from its snapshot),
   *  which reach players in their full states instead. */
  settle(): void {
    if (this.flushes !== 0) throw new CodedError('BAD_SYNC_SETUP', 'settle() after the first flush would hide changes from players');
    for (const p of this.parts) p.end();
  }

  /** Sends this tick's state: full to fresh players, the delta to everyone else. */
  flush(tick: number): void {
    this.flushes++;
    for (const p of this.parts) p.begin(this.flushes);
    if (this.viewOf) this.flushViews(tick, this.viewOf);
    else this.flushShared(tick);
    for (const p of this.parts) p.end();
    this.rechecking = false;
  }

  private flushShared(tick: number): void {
    const parts = this.parts;
    const fresh = this.freshIds;
    let pending = false;
    for (let i = 0; i < parts.length; i++) if (parts[i]!.pending) pending = true;
    if (pending) {
      const delta = this.head(tick, false);
      let changed = false;
      for (let i = 0; i < parts.length; i++) if (parts[i]!.writeDelta(delta)) changed = true;
      this.out.broadcast(delta as M, fresh.size ? fresh : undefined, !changed);
    } else {
      // A quiet tick (an idle room's every tick) allocates nothing here.
      const empty = (this.emptyDelta ??= this.head(tick, false));
      empty.tick = tick;
      this.out.broadcast(empty as M, fresh.size ? fresh : undefined, true);
    }
    if (fresh.size === 0) return;
    const full = this.head(tick, true);
    for (const p of this.parts) {
      full[p.field] = p.all();
      full[p.removedField] = EMPTY;
    }
    this.sendTo([...fresh], full);
    for (const id of fresh) {
      const pl = this.players.get(id);
      if (pl) pl.fresh = false;
    }
    fresh.clear();
  }

  private flushViews(tick: number, viewOf: (playerId: string) => string): void {
    const groups = new Map<string, ViewGroup>();
    for (const [id, pl] of this.players) {
      const key = viewOf(id);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { steady: [], fresh: [], movers: null }));
      if (pl.fresh || pl.view === null) g.fresh.push(id);
      else if (pl.view !== key) {
        g.movers ??= new Map();
        const from = g.movers.get(pl.view);
        if (from) from.push(id);
        else g.movers.set(pl.view, [id]);
      } else g.steady.push(id);
      pl.view = key;
      pl.fresh = false;
    }
    this.freshIds.clear();
    // What every view shares: the unfiltered collections, wired once.
    const shared: Array<Parts | null> = this.parts.map((p) => (p.filtered ? null : p.delta()));

    // Players changing view know what their old view knew at the last flush: send them the
    // difference before this flush moves the old view on.
    for (const [key, g] of groups) {
      if (!g.movers) continue;
      for (const [from, ids] of g.movers) {
        const before = this.views.get(from)!;
        const msg = this.head(tick, false);
        let changed = false;
        this.parts.forEach((p, i) => {
          const [ups, rem] = shared[i] ?? p.moveDelta(key, before[i]!);
          msg[p.field] = ups;
          msg[p.removedField] = rem;
          if (ups.length !== 0 || rem.length !== 0) changed = true;
        });
        this.sendTo(ids, msg, !changed);
      }
    }
    // Each view's delta, once for all its steady players.
    for (const [key, g] of groups) {
      const known = this.views.get(key);
      if (!known) {
        this.views.set(key, this.parts.map((p) => (p.filtered ? p.scan(key) : null)));
        continue;
      }
      const msg = this.head(tick, false);
      let changed = false;
      this.parts.forEach((p, i) => {
        const [ups, rem] = shared[i] ?? p.viewDelta(key, known[i]!, this.rechecking);
        msg[p.field] = ups;
        msg[p.removedField] = rem;
        if (ups.length !== 0 || rem.length !== 0) changed = true;
      });
      if (g.steady.length) this.sendTo(g.steady, msg, !changed);
    }
    // Full states, once per view with newcomers.
    let all: Array<unknown[] | null> | null = null;
    for (const [key, g] of groups) {
      if (!g.fresh.length) continue;
      all ??= this.parts.map((p) => (p.filtered ? null : p.all()));
      const known = this.views.get(key)!;
      const msg = this.head(tick, true);
      this.parts.forEach((p, i) => {
        msg[p.field] = all![i] ?? p.visibleTo(known[i]!);
        msg[p.removedField] = EMPTY;
      });
      this.sendTo(g.fresh, msg);
    }
    for (const key of this.views.keys()) if (!groups.has(key)) this.views.delete(key);
  }

  /** A message with every field in order: cloning one shape keeps each tick's object cheap to make and encode. */
  private head(tick: number, full: boolean): Record<string, unknown> {
    if (!this.shape) {
      this.shape = { t: this.type, tick: 0, full: false };
      for (const p of this.parts) {
        this.shape[p.field] = EMPTY;
        this.shape[p.removedField] = EMPTY;
      }
    }
    const m = { ...this.shape };
    m.tick = tick;
    m.full = full;
    return m;
  }

  /** `unchanged`: a delta with every list empty (a full state never is: it always goes). */
  private sendTo(ids: string[], msg: Record<string, unknown>, unchanged = false): void {
    if (this.out.sendMany) this.out.sendMany(ids, msg as M, unchanged);
    else for (const id of ids) this.out.send(id, msg as M);
  }
}
