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
  // --- gate lane (where a hello goes: gate/gate.ts; open-index.ts here) ---
  /** HASH per game: room -> JSON {host, free}, the rooms with free quick-join seats, written by their host (open-index.ts). */
  open: (game: string) => `${PREFIX}open:${game}`,
  // --- end gate lane ---

  // --- store lane: the world's durable records (store/redis-store.ts writes them) ---------------
  /** HASH session id -> JSON SessionRecord (score included). */
  session: `${PREFIX}session`,
  /** HASH token hash -> session id (a resume finds its session by it). */
  token: `${PREFIX}token`,
  /** HASH room id -> JSON RoomRecord without its snapshot, plus `host`: the host that last wrote it. */
  room: `${PREFIX}room`,
  /** SET of the session ids seated in a room. */
  roomSessions: (room: string) => `${PREFIX}roomSessions:${room}`,
  /** HASH room id -> MessagePack of its last snapshot (written every --snapshot-ms). */
  snapshot: `${PREFIX}snapshot`,
  /** ZSET leaderboard key (name, or \u0001account) -> total score, every host's players. */
  lb: `${PREFIX}lb`,
  /** HASH key -> JSON value of a world-wide kv namespace (bans, accounts, ...). */
  kv: (ns: string) => `${PREFIX}kv:${ns}`,
  /** HASH key -> JSON value of a namespace that belongs to one host (`drained`: its worker slots). */
  hostKv: (host: string, ns: string) => `${PREFIX}hostkv:${host}:${ns}`,
  /** STRING counter: session numbers are taken from it in blocks (INCRBY), unique world-wide. */
  next: `${PREFIX}next`,
  /** SET of the room ids a host runs (what it loads at start). */
  hostRooms: (host: string) => `${PREFIX}hostRooms:${host}`,
  /** ZSET session id -> when it may be forgotten (ms): sessions of a host that died unswept. */
  sessionDue: `${PREFIX}sessionDue`,
} as const;
