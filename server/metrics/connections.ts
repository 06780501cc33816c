// The primary's connection books as Prometheus metrics: what it counts against the limits, and
// why it turned connections away. Registered by the primary only (the only process that counts).
import { Counter, Gauge } from 'prom-client';
import { registry } from './registry.js';

export type ConnKind = 'unclassified' | 'game' | 'http' | 'refusing';
export type RefusalReason = 'total' | 'address' | 'address_closed' | 'http' | 'banned' | 'shutting_down' | 'proxy';

export interface ConnBooks {
  /** Hand-offs waiting in the primary for their worker (not yet given to Node's IPC), by slot. */
  handoffsWaiting?: Record<number, number>;
  open: Record<ConnKind, number>;
  addresses: number;
  perAddressMax: number;
}

export const refusedTotal = new Counter({
  name: 'shoal_connections_refused_total',
  help: 'Connections turned away by the primary, by reason (total: maxConnections; address: per-address limit, told SERVER_FULL; address_closed: past the refusals allowance, closed at once; http: maxHttpConnections; banned; shutting_down; proxy: a PROXY header missing, malformed or from an untrusted peer)',
  labelNames: ['reason'],
  registers: [],
});

// Not shoal_connections_total: the workers count game sessions under that name, and the primary
// counting the same sockets there too summed every TCP and WebSocket connection twice.
export const routedTotal = new Counter({
  name: 'shoal_connections_routed_total',
  help: 'Game connections the primary handed to a worker, by who chose it (primary: a quick-join placed from the coordinator\'s board of free seats, no round trip; coordinator: its route op, for a hello naming a room or a token, or a WebSocket not saying its game)',
  labelNames: ['by'],
  registers: [],
});

export const classifiedTotal = new Counter({
  name: 'shoal_connections_classified_total',
  help: 'Connections the primary read far enough to tell apart, by kind (tcp, ws, http), whether then served or refused',
  labelNames: ['kind'],
  registers: [],
});

/** Registers the gauges, read from the acceptor's books at scrape time (never per connection). */
export function registerConnectionBooks(books: () => ConnBooks): void {
  registry.registerMetric(refusedTotal);
  registry.registerMetric(classifiedTotal);
  registry.registerMetric(routedTotal);
  registry.registerMetric(
    new Gauge({
      name: 'shoal_primary_connections_open',
      help: 'Sockets the primary counts against the connection limits, by kind (unclassified: still being read; refusing: being told SERVER_FULL)',
      labelNames: ['kind'],
      registers: [],
      collect() {
        const b = books();
        for (const [kind, n] of Object.entries(b.open)) this.set({ kind }, n);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_primary_handoffs_waiting',
      help: 'Connections routed to a worker and waiting in the primary to be passed to it (Node passes one socket at a time per worker)',
      labelNames: ['worker'],
      registers: [],
      collect() {
        this.reset();
        for (const [slot, n] of Object.entries(books().handoffsWaiting ?? {})) this.set({ worker: slot }, n);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_primary_connection_addresses',
      help: 'Peer addresses holding at least one counted socket',
      registers: [],
      collect() {
        this.set(books().addresses);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_primary_connections_per_address_max',
      help: 'Counted sockets held by the busiest peer address',
      registers: [],
      collect() {
        this.set(books().perAddressMax);
      },
    }),
  );
}
