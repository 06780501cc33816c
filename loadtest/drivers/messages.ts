// IPC between a load-driver parent and its forked children (ping and connect drivers).
export type DriverTransport = 'tcp' | 'ws';

export interface PingJob {
  kind: 'ping';
  host: string;
  port: number;
  transport: DriverTransport;
  connections: number;
}

export interface ConnectJob {
  kind: 'connect';
  host: string;
  port: number;
  connections: number;
  /** Connections in flight at once; 0 = all at once. */
  concurrency: number;
  /** Give up on a connection that has no welcome after this long. */
  timeoutMs: number;
  /** Start no new connection after this long; report what is open by then. 0: no limit. */
  deadlineMs: number;
}

export type ParentToDriver =
  | { type: 'job'; job: PingJob | ConnectJob }
  /** Start counting (ping). */
  | { type: 'measure' }
  /** Stop counting and report (ping), or close every connection (connect). */
  | { type: 'stop' };

export type DriverToParent =
  /** Every connection is open and welcomed (or failed). */
  | { type: 'ready'; ok: number; failed: number; errors: Record<string, number>; connectMs: string; elapsedMs: number }
  | { type: 'result'; roundTrips: number; rtt: string; seconds: number };
