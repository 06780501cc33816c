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
  // --- bus lane ---
  /** Pub/sub channel every host's coordinator subscribes to: world chat and console commands (JSON, server/ipc/bus.ts). */
  bus: `${PREFIX}bus`,
  // --- end bus lane ---
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

  // --- world lane: the world API (server/coordinator/world/redis/). A lease id is `lock:<name>` or
  // `sem:<name>`; names may hold any character, so each key ends with the name.
  /** STRING (MessagePack): a world value (world.get / set / incr / cas). */
  wVal: (name: string) => `${PREFIX}w:v:${name}`,
  /** ZSET token -> deadline (Redis clock, ms): a lock's or semaphore's live leases; PEXPIREAT past its last. */
  wLease: (id: string) => `${PREFIX}w:lease:${id}`,
  /** HASH token -> owner of each live lease (world.*.holders); expires with wLease. */
  wOwner: (id: string) => `${PREFIX}w:owner:${id}`,
  /** STRING counter: the last fencing token handed out for a lease id (INCR; never expires). */
  wFence: (id: string) => `${PREFIX}w:fence:${id}`,
  /** ZSET waiter -> arrival: the line of waiting acquirers (first come, first served across hosts). */
  wLine: (id: string) => `${PREFIX}w:line:${id}`,
  /** ZSET waiter -> deadline: a waiter its coordinator stopped renewing (dead host) leaves the line. */
  wLive: (id: string) => `${PREFIX}w:live:${id}`,
  /** STRING counter: arrival order in every line. */
  wLineSeq: `${PREFIX}w:lineseq`,
  /** SET of lease ids that had holders or waiters (world.stats; emptied ones are dropped by it). */
  wLeases: `${PREFIX}w:leases`,
  /** STRING counter: a queue's last item id. */
  wQSeq: (q: string) => `${PREFIX}w:q:seq:${q}`,
  /** HASH id -> item (MessagePack): a queue's items not acked yet. */
  wQItems: (q: string) => `${PREFIX}w:q:items:${q}`,
  /** LIST of ids ready for delivery, oldest first (items back from a timeout go to the front). */
  wQReady: (q: string) => `${PREFIX}w:q:ready:${q}`,
  /** ZSET id -> visibility deadline (Redis clock, ms): items out for delivery, not acked. */
  wQInflight: (q: string) => `${PREFIX}w:q:inflight:${q}`,
  /** HASH id -> deliveries so far (a delivery's attempt). */
  wQAttempts: (q: string) => `${PREFIX}w:q:attempts:${q}`,
  /** SET of queue names (world.stats). */
  wQueues: `${PREFIX}w:queues`,
  /** HASH of world-wide counters for world.stats: lock.grants, lock.expiries, sem.*, q.redeliveries. */
  wStats: `${PREFIX}w:stats`,
  /** Pub/sub channel: a world event (world.pub) of a topic, MessagePack value. */
  wEvChannel: (topic: string) => `${PREFIX}w:ev:${topic}`,
  /** Pub/sub channel: a world value changed (watches), MessagePack value (empty: deleted). */
  wValChannel: (name: string) => `${PREFIX}w:val:${name}`,
  /** Pub/sub channel: a lease freed or a waiter left (waiting acquirers check again). */
  wLeaseWake: (id: string) => `${PREFIX}w:wake:lease:${id}`,
  /** Pub/sub channel: an item pushed (waiting pops check again). */
  wQueueWake: (q: string) => `${PREFIX}w:wake:q:${q}`,
} as const;
