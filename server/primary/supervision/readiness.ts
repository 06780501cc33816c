// Can a new player join right now? The primary is the one process that sees every part of the
// answer: the workers answering, the connection books, the coordinator link (and through the
// coordinator, whether its store can write).
import type { Config } from '../../config/schema.js';
import type { Readiness, NotReadyReason } from '../../http/health.js';
import type { CoordinatorLink } from '../../ipc/coordinator-link.js';
import type { Supervisor } from './supervisor.js';

/** The part of the primary's connection books readiness reads (the Acceptor keeps them). */
export interface ConnectionBooks {
  /** The game-connection total is at maxConnections. */
  readonly totalFull: boolean;
  /** Connections now open from this address. */
  countOf(address: string): number;
}

interface CoordStats {
  rooms: unknown[];
  players: number;
  workers: number;
  /** The games' values marked for /health (Game.reports), e.g. coinsTaken. */
  reports?: Record<string, unknown>;
  store?: { ok: boolean; reason?: string };
}

/** Probes in this window share one coordinator round trip (a load balancer or a benchmark may probe often). */
const STATS_FRESH_MS = 250;

export class ReadinessCheck {
  /** Last figures the coordinator gave, shown while it is away. */
  private last: { rooms: number; players: number; reports: Record<string, unknown> };
  private stats: { at: number; p: Promise<CoordStats | null> } | null = null;

  constructor(
    private readonly d: {
      config: Config; link: CoordinatorLink; supervisor: Supervisor; acceptor: ConnectionBooks; stopping(): boolean;
      /** The games' /health values before the coordinator first answers (0 for counters). */
      initialReports: Record<string, unknown>;
    },
  ) {
    this.last = { rooms: 0, players: 0, reports: d.initialReports };
  }

  async check(address?: string): Promise<Readiness> {
    const { supervisor, link, acceptor, config } = this.d;
    const reasons: NotReadyReason[] = [];
    let stats: CoordStats | null = null;
    if (link.connected && supervisor.coordinator && !supervisor.coordinatorProblem) stats = await this.coordinatorStats();
    let store: string | undefined;
    if (!stats) reasons.push('coordinator_down');
    else {
      this.last = { rooms: stats.rooms.length, players: stats.players, reports: stats.reports ?? this.last.reports };
      if (stats.store && !stats.store.ok) {
        reasons.push('store_failing');
        store = stats.store.reason ?? 'failing';
      }
    }
    const workers = supervisor.responsive().length;
    if (workers === 0) reasons.push('no_workers');
    if (acceptor.totalFull) reasons.push('connections_full');
    if (address !== undefined && acceptor.countOf(address) >= config.maxConnectionsPerAddress) reasons.push('address_full');
    if (this.d.stopping()) reasons.push('shutting_down');
    return { reasons, workers, ...this.last, ...(store ? { store } : {}) };
  }

  private coordinatorStats(): Promise<CoordStats | null> {
    const now = Date.now();
    if (!this.stats || now - this.stats.at > STATS_FRESH_MS) {
      this.stats = { at: now, p: this.d.link.request('stats', {}, 1000).catch(() => null) };
    }
    return this.stats.p;
  }
}
