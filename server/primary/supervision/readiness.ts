// Can a new player join right now? The primary is the one process that sees every part of the
// answer: the workers answering, the connection books, the coordinator link (and through the
// coordinator, whether its store can write). It also pushes what it sees to the workers, so they
// answer /health from it with no round trip: the per-address and total limits at the moment the
// books change, the rest as its 250 ms poll of the coordinator (and of the workers' liveness) sees it.
import type { Config } from '../../config/schema.js';
import type { Readiness, NotReadyReason } from '../../http/health.js';
import type { CoordinatorLink } from '../../ipc/coordinator-link.js';
import type { CoordinatorReadiness } from '../../ipc/coordinator-ops.js';
import type { ReadinessPush } from '../../ipc/primary-worker.js';
import type { Supervisor } from './supervisor.js';

/** The part of the primary's connection books readiness reads (the Acceptor keeps them). */
export interface ConnectionBooks {
  /** The game-connection total is at maxConnections. */
  readonly totalFull: boolean;
  /** Connections now open from this address. */
  countOf(address: string): number;
  /** Every address with at least n connections open (for a limit changed at run time). */
  addressesAtLeast(n: number): string[];
}


/** Probes in this window share one coordinator round trip (a load balancer or a benchmark may probe often); also the push's poll period. */
const STATS_FRESH_MS = 250;

/** What the coordinator's last answer (or its silence) says, for the readiness answer. */
interface CoordPart {
  down: boolean;
  store?: string;
}

export class ReadinessCheck {
  /** Last figures the coordinator gave, shown while it is away. */
  private last: { rooms: number; players: number; reports: Record<string, unknown> };
  private stats: { at: number; p: Promise<CoordinatorReadiness | null> } | null = null;
  /** The coordinator part as last polled (down until the first answer). */
  private coord: CoordPart = { down: true };
  private push: ((m: ReadinessPush) => void) | null = null;
  private pushed = '';
  private lastState: Readiness | null = null;
  /** Addresses at maxConnectionsPerAddress, as last pushed. */
  private readonly full = new Set<string>();
  private cap: number;
  private totalFull = false;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly d: {
      config: Config; link: CoordinatorLink; supervisor: Supervisor; acceptor: ConnectionBooks; stopping(): boolean;
      /** The games' /health values before the coordinator first answers (0 for counters). */
      initialReports: Record<string, unknown>;
    },
  ) {
    this.last = { rooms: 0, players: 0, reports: d.initialReports };
    this.cap = d.config.maxConnectionsPerAddress;
  }

  async check(address?: string): Promise<Readiness> {
    const { supervisor, link } = this.d;
    let stats: CoordinatorReadiness | null = null;
    if (link.connected && supervisor.coordinator && !supervisor.coordinatorProblem) stats = await this.coordinatorStats();
    this.coord = this.coordPart(stats);
    return this.compose(address);
  }

  private coordPart(stats: CoordinatorReadiness | null): CoordPart {
    if (!stats) return { down: true };
    this.last = { rooms: stats.rooms, players: stats.players, reports: stats.reports ?? this.last.reports };
    return stats.store && !stats.store.ok ? { down: false, store: stats.store.reason ?? 'failing' } : { down: false };
  }

  /** The answer from what is known now (the coordinator part as last asked). */
  private compose(address?: string): Readiness {
    const { supervisor, acceptor, config } = this.d;
    const reasons: NotReadyReason[] = [];
    const store = this.coord.store;
    if (this.coord.down) reasons.push('coordinator_down');
    else if (store !== undefined) reasons.push('store_failing');
    const workers = supervisor.responsive().length;
    if (workers === 0) reasons.push('no_workers');
    if (acceptor.totalFull) reasons.push('connections_full');
    if (address !== undefined && acceptor.countOf(address) >= config.maxConnectionsPerAddress) reasons.push('address_full');
    if (this.d.stopping()) reasons.push('shutting_down');
    return { reasons, workers, ...this.last, ...(store !== undefined ? { store } : {}) };
  }

  private coordinatorStats(): Promise<CoordinatorReadiness | null> {
    const now = Date.now();
    if (!this.stats || now - this.stats.at > STATS_FRESH_MS) {
      this.stats = { at: now, p: this.d.link.request('readiness', {}, 1000).catch(() => null) };
    }
    return this.stats.p;
  }

  // --- pushed to the workers ---------------------------------------------------------------------

  /**
   * Starts pushing readiness through `push` (to every worker): the state now, then each change.
   * The coordinator and the workers' liveness are polled every STATS_FRESH_MS; the books push
   * through booksChanged() as they change.
   */
  startPushing(push: (m: ReadinessPush) => void): void {
    this.push = push;
    this.publish();
    this.timer = setInterval(() => this.poll(), STATS_FRESH_MS);
    this.timer.unref();
    this.poll();
  }

  stopPushing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.push = null;
  }

  /**
   * Everything a worker that just started needs: the state and the full addresses. Its start
   * changed the state (one more worker running), so every worker hears that first.
   */
  snapshot(): ReadinessPush[] {
    this.refresh();
    return [{ t: 'health.state', r: this.lastState ?? this.compose() }, { t: 'health.addresses', full: [...this.full] }];
  }

  /** The acceptor's books changed for this address (a connection counted, moved or released). */
  booksChanged(address: string): void {
    if (!this.push) return;
    const full = this.d.acceptor.countOf(address) >= this.cap;
    if (full !== this.full.has(address)) {
      if (full) this.full.add(address);
      else this.full.delete(address);
      this.push({ t: 'health.address', address, full });
    }
    if (this.d.acceptor.totalFull !== this.totalFull) this.publish();
  }

  /** The connection limits changed at run time: every address is judged against the new one. */
  limitsChanged(): void {
    this.cap = this.d.config.maxConnectionsPerAddress;
    if (!this.push) return;
    this.full.clear();
    for (const a of this.d.acceptor.addressesAtLeast(this.cap)) this.full.add(a);
    this.push({ t: 'health.addresses', full: [...this.full] });
    this.publish();
  }

  /**
   * The coordinator says its store started or stopped taking writes: pushed now, not at the next
   * poll. A poll answer already on its way may say the old state; the next poll corrects it.
   */
  storeHealth(ok: boolean, reason?: string): void {
    if (this.coord.down) return;
    this.coord = ok ? { down: false } : { down: false, store: reason ?? 'failing' };
    this.stats = null;
    this.publish();
  }

  /** Something readiness reads changed (a worker exited): push it now rather than at the next poll. */
  refresh(): void {
    this.publish();
  }

  /** Pushes the state without an address when it differs from the last pushed. */
  private publish(): void {
    if (!this.push) return;
    const r = this.compose();
    this.totalFull = this.d.acceptor.totalFull;
    const key = JSON.stringify(r);
    if (key === this.pushed) return;
    this.pushed = key;
    this.lastState = r;
    this.push({ t: 'health.state', r });
  }

  private poll(): void {
    this.publish();
    if (this.polling) return;
    this.polling = true;
    this.check().then(
      () => {
        this.polling = false;
        this.publish();
      },
      () => {
        this.polling = false;
      },
    );
  }
}
