// The answers of /health (alive) and /ready (taking new players), built from one readiness check
// so the primary (when no worker answers) and the workers say the same thing.

/** Why new players cannot join now; empty when they can. */
export type NotReadyReason =
  | 'coordinator_down' // not connected, crash-looping, or not answering within a second
  | 'store_failing' // the world store's writes are failing (e.g. disk full)
  | 'no_workers' // no worker process answers its liveness ping
  | 'connections_full' // maxConnections game connections are open
  | 'address_full' // the asking address holds maxConnectionsPerAddress connections
  | 'shutting_down';

export interface Readiness {
  reasons: NotReadyReason[];
  workers: number;
  rooms: number;
  players: number;
  coinsTaken: number;
  /** Detail from the store while it fails, for operators. */
  store?: string;
}

export function healthAnswer(path: '/health' | '/ready', r: Readiness, uptimeSeconds: number): { status: number; body: Record<string, unknown> } {
  const ready = r.reasons.length === 0;
  const fields = {
    workers: r.workers, rooms: r.rooms, players: r.players, uptimeSeconds: Math.round(uptimeSeconds), coinsTaken: r.coinsTaken,
    ready, reasons: r.reasons, ...(r.store ? { store: r.store } : {}),
  };
  // /health is the v1 contract: 200 and status "ok" whenever the server answers at all; whether it
  // takes players is in the additive `ready` and `reasons`. /ready is what a load balancer probes.
  if (path === '/health') return { status: 200, body: { status: 'ok', ...fields } };
  return ready ? { status: 200, body: { status: 'ready', ...fields } } : { status: 503, body: { status: 'degraded', ...fields } };
}
