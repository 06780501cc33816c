// The operator data that crosses process boundaries: the limits `set` may change at run time (sent
// primary -> worker and console -> coordinator) and a ban-list entry (kept by the coordinator,
// copied to the primary). Declared here, at the boundary, so the console and the processes it
// drives import them from one place and the boundary imports nothing from the console.

/** The limits `set` may change at run time, and what each one reaches. */
export const SETTABLE = {
  maxMsgRate: 'messages a second per connection; open connections too',
  roomCapacity: 'players a room holds, for games that choose no size (the arena); existing rooms too (players over it stay, new ones wait)',
  maxConnections: 'game connections in total (primary)',
  maxConnectionsPerAddress: 'connections from one address: game, HTTP and unclassified (primary)',
  graceMs: 'time a dropped player keeps its seat (drops from now on)',
  helloTimeoutMs: 'time a new connection has to send hello',
  idleTimeoutMs: 'a connection that sends nothing this long is closed',
  rateLimitCloseAfter: 'messages refused for rate in a row before a connection is closed',
} as const;

export type Limit = keyof typeof SETTABLE;
export type Limits = Partial<Record<Limit, number>>;

export interface BanEntry {
  /** An address (1.2.3.4, ::1) or a subnet in CIDR form (10.0.0.0/8). */
  address: string;
  /** Epoch ms when the ban ends; null: until unbanned. */
  until: number | null;
  /** Epoch ms when it was made. */
  at: number;
}

/** What a worker answers `kick` (and a host the bus lane's kick, server/ipc/bus.ts). */
export type KickResult =
  | { found: false }
  | { found: true; id: string; name: string; room: string; worker: number; address: string | null; wasConnected: boolean };
