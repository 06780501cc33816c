// The answers of /health and /ready (taking new players) and /live (the process answers), built
// from one readiness check so the primary (when no worker answers) and the workers say the same.

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
  /** The games' values marked for /health (e.g. the arena's coinsTaken), shown as top-level fields. */
  reports: Record<string, unknown>;
  /** Detail from the store while it fails, for operators. */
  store?: string;
}

export function healthAnswer(path: '/health' | '/ready' | '/live', r: Readiness, uptimeSeconds: number): { status: number; body: Record<string, unknown> } {
  const ready = r.reasons.length === 0;
  const fields = {
    workers: r.workers, rooms: r.rooms, players: r.players, uptimeSeconds: Math.round(uptimeSeconds), ...r.reports,
    ready, reasons: r.reasons, ...(r.store ? { store: r.store } : {}),
  };
  // /health and /ready are what a load balancer or orchestrator routes by: 200 with the v1 answer
  // (status "ok") while a new player can join, 503 "degraded" with the reasons while one cannot.
  // /live only says the server answers (a liveness probe must not restart a server that is merely
  // full or waiting for its coordinator).
  if (path === '/live') return liveAnswer(uptimeSeconds);
  if (ready) return { status: 200, body: { status: path === '/health' ? 'ok' : 'ready', ...fields } };
  return { status: 503, body: { status: 'degraded', ...fields } };
}

export function liveAnswer(uptimeSeconds: number): { status: number; body: Record<string, unknown> } {
  return { status: 200, body: { status: 'ok', live: true, uptimeSeconds: Math.round(uptimeSeconds) } };
}
