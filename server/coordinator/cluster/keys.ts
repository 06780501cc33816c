// Every Redis key Shoal uses, in one place (documented in docs/SCALING.md, "What Redis holds").
// All start with `shoal:`, so one Redis database can be inspected (and flushed) by prefix.
// Parts owned by one lane add their keys here, each with a line saying what it holds.
export const PREFIX = 'shoal:';

export const KEYS = {
  /** STRING per live host, PX --host-ttl-ms: its heartbeat (JSON: advertise, players, rooms, at). */
  host: (id: string) => `${PREFIX}host:${id}`,
  /** SET of every host id that has run (live ones also have a heartbeat key). */
  hosts: `${PREFIX}hosts`,
  /** STRING per room that runs on some host: JSON {host, epoch}, the one authority on who runs it (ownership.ts). */
  owner: (room: string) => `${PREFIX}owner:${room}`,
  /** Counter the fencing epochs of room claims come from: they only grow (ownership.ts). */
  epoch: `${PREFIX}epoch`,
  // --- gate lane (where a hello goes: gate.ts, open-index.ts, remote-sessions.ts) ---
  /** HASH per game: room -> JSON {host, free}, the rooms with free quick-join seats, written by their host (open-index.ts). */
  open: (game: string) => `${PREFIX}open:${game}`,
  /** HASH tokenHash -> session id (the store lane's key; the gate reads it to find a session another host holds). */
  token: `${PREFIX}token`,
  /** HASH session id -> JSON SessionRecord (the store lane's key; the gate reads its `room`). */
  session: `${PREFIX}session`,
  // --- end gate lane ---
} as const;
