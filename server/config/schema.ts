// Every setting Shoal has, with its default, its flag, its environment variable and its range.
// One table, so the defaults, the validation, `--help` and the docs cannot drift apart.
import os from 'node:os';

type Kind = 'int' | 'number' | 'string' | 'bool' | 'level';

export interface SettingSpec {
  kind: Kind;
  default: unknown;
  min?: number;
  max?: number;
  env?: string;
  help: string;
  /** The only values a string setting may take. */
  choices?: readonly string[];
}

function s<K extends Kind>(kind: K, def: unknown, help: string, extra: Partial<SettingSpec> = {}): SettingSpec {
  return { kind, default: def, help, ...extra };
}

export const SETTINGS = {
  port: s('int', 8000, 'port for TCP, WebSocket and HTTP', { min: 0, max: 65535, env: 'PORT' }),
  host: s('string', '0.0.0.0', 'host to bind', { env: 'HOST' }),
  workers: s('int', os.availableParallelism(), 'worker processes', { min: 1, max: 256, env: 'SHOAL_WORKERS' }),
  data: s('string', './data', 'data directory (durable state)', { env: 'SHOAL_DATA' }),
  console: s('string', '', 'operator console socket (default <data>/console.sock)', { env: 'SHOAL_CONSOLE' }),
  maxMsgRate: s('number', 60, 'messages a second per connection (bursts up to twice this)', { min: 1, max: 100000, env: 'SHOAL_MAX_MSG_RATE' }),
  maxFrame: s('int', 65536, 'largest TCP frame / WebSocket message, bytes', { min: 64, max: 16 * 1024 * 1024 }),
  maxMsgDepth: s('int', 16, 'deepest nesting of arrays and maps in a client message (the message map is 1)', { min: 1, max: 256 }),
  helloTimeoutMs: s('int', 5000, 'time a new connection has to send hello', { min: 100, max: 600000 }),
  nameMax: s('int', 32, 'longest player name, characters', { min: 1, max: 32 }),
  chatMax: s('int', 280, 'longest chat line, characters', { min: 1, max: 280 }),
  gameStringMax: s('int', 1024, "longest string field of a game's declared message whose schema sets no maxLength, UTF-16 units", { min: 1, max: 16 * 1024 * 1024 }),
  roomCapacity: s('int', 16, 'players a room holds', { min: 1, max: 1000 }),
  worldWidth: s('int', 1000, 'arena width', { min: 100, max: 100000 }),
  worldHeight: s('int', 1000, 'arena height', { min: 100, max: 100000 }),
  hz: s('int', 20, 'ticks a second', { min: 1, max: 120 }),
  coins: s('int', 10, 'coins kept on a room field', { min: 1, max: 1000 }),
  playerSpeed: s('number', 200, 'units a second at full input', { min: 1, max: 100000 }),
  pickupRadius: s('number', 20, 'distance at which a player takes a coin', { min: 1, max: 1000 }),
  graceMs: s('int', 30000, 'time a dropped player keeps its seat', { min: 0, max: 3600000 }),
  idleTimeoutMs: s('int', 90000, 'a TCP connection that sends nothing this long is closed (keep >= 30000 for the protocol)', { min: 1000, max: 86400000 }),
  listenBacklog: s('int', 4096, 'connections the kernel queues on the game port before the primary accepts them (capped by net.core.somaxconn); a burst past it waits for SYN retransmits', { min: 1, max: 65535 }),
  maxConnections: s('int', 20000, 'game connections in total', { min: 1, max: 1000000 }),
  maxConnectionsPerAddress: s('int', 2000, 'connections from one address, counted from accept: game, HTTP and not yet classified', { min: 1, max: 1000000 }),
  refusalsPerAddress: s('int', 16, 'connections past the per-address limit still told SERVER_FULL in their own framing; past these they are closed at once', { min: 0, max: 100000 }),
  maxHttpConnections: s('int', 1024, 'HTTP connections (not game) open at once; more are answered 503 and closed', { min: 1, max: 1000000 }),
  messageTimeoutMs: s('int', 10000, 'a TCP frame or WebSocket message begun must be complete within this', { min: 100, max: 600000 }),
  httpKeepAliveMs: s('int', 5000, 'an HTTP keep-alive connection idle this long between requests is closed', { min: 100, max: 600000 }),
  maxOutboundBytes: s('int', 1024 * 1024, 'a slow reader whose unsent bytes pass this is disconnected', { min: 4096, max: 1 << 30 }),
  rateLimitCloseAfter: s('int', 200, 'messages refused for rate in a row before the connection is closed', { min: 1, max: 1000000 }),
  classifyMaxBytes: s('int', 8192, 'bytes the primary reads to classify an HTTP connection', { min: 512, max: 65536 }),
  httpHeadersTimeoutMs: s('int', 10000, 'time to receive a full HTTP request head (slowloris)', { min: 1000, max: 600000 }),
  snapshotMs: s('int', 250, 'how often rooms snapshot to the coordinator', { min: 50, max: 60000 }),
  fsyncMs: s('int', 100, 'how often the coordinator fsyncs its log (0: after every write)', { min: 0, max: 60000 }),
  roomsPerAddressPerMinute: s('int', 60, 'new rooms one address may make a minute (hello naming a room that does not exist; refused with ROOM_LIMIT)', { min: 1, max: 1000000 }),
  roomsPageSize: s('int', 100, 'rooms GET /rooms returns when no limit is asked (and the most it returns)', { min: 1, max: 100000 }),
  leaderboardSize: s('int', 100, 'entries /leaderboard returns', { min: 1, max: 100000 }),
  smallYoungGen: s('string', 'primary,coordinator', 'processes whose V8 young generation stops growing at the size it has when the process starts (1-4 MiB semi-spaces) instead of growing to 16 MiB (comma-separated roles: primary, coordinator, worker; or none): less memory per player, more frequent minor collections', { env: 'SHOAL_SMALL_YOUNG_GEN' }),
  httpCacheMs: s('int', 250, 'a worker reuses its answer to /rooms and /leaderboard this long (a burst of requests costs one round trip to the coordinator; 0: never). /health and /ready are not reused (a load balancer acts on them)', { min: 0, max: 60000 }),
  hangTimeoutMs: s('int', 10000, 'a worker or coordinator that does not answer a liveness ping this long is killed and restarted', { min: 500, max: 600000 }),
  startTimeoutMs: s('int', 60000, 'a worker or coordinator not ready this long after it starts is killed and restarted (with back-off)', { min: 500, max: 3600000 }),
  shutdownTimeoutMs: s('int', 10000, 'longest a graceful shutdown may take', { min: 100, max: 600000 }),
  deployCheckTimeoutMs: s('int', 30000, "`deploy`'s pre-flight: the process running the new build must load its games and read every room's snapshot within this", { min: 1000, max: 600000 }),
  deployResumeTimeoutMs: s('int', 15000, "`deploy` waits this long after a worker's replacement runs for its players to be back before it replaces the next (the missing are reported)", { min: 0, max: 600000 }),
  goldenCoinMs: s('int', 30000, 'every this many ms one room of the whole server gets a golden coin (0: never)', { min: 0, max: 86400000 }),
  consoleMaxConnections: s('int', 32, 'console connections open at once', { min: 1, max: 10000 }),
  consoleMaxLineBytes: s('int', 65536, 'longest console request line, bytes (UTF-8); longer: LINE_TOO_LONG and closed', { min: 1024, max: 16 * 1024 * 1024 }),
  consoleMaxPipelined: s('int', 64, 'console requests read ahead of their answers per connection; past it the console stops reading that connection', { min: 1, max: 100000 }),
  consoleLineTimeoutMs: s('int', 30000, 'a console request line must be complete this long after its first byte; else LINE_TIMEOUT and closed', { min: 100, max: 3600000 }),
  banForcePrefixV4: s('int', 8, 'an IPv4 ban wider than this prefix (e.g. /7, /0) needs --force', { min: 0, max: 32 }),
  banForcePrefixV6: s('int', 32, 'an IPv6 ban wider than this prefix needs --force', { min: 0, max: 128 }),
  proxyProtocol: s('bool', false, 'read a PROXY protocol v1/v2 header first on game-port connections from --trusted-proxies (they must send one); others may not', { env: 'SHOAL_PROXY_PROTOCOL' }),
  trustedProxies: s('string', '', 'load balancers (addresses and CIDR subnets, comma-separated) whose PROXY header or X-Forwarded-For names the client', { env: 'SHOAL_TRUSTED_PROXIES' }),
  auth: s('string', 'none', 'player authentication: none (guests, by name) or jwt (hello carries a signed token)', { choices: ['none', 'jwt'] }),
  allowGuests: s('bool', false, 'with --auth jwt: also seat players without a token, as guests'),
  jwtSecret: s('string', '', 'HS256 secret(s), comma-separated (rotation: every one is accepted); prefer the environment'),
  jwtPublicKey: s('string', '', 'PEM file of RS256/ES256 public key(s) (several PEM blocks: every one is accepted)'),
  jwtJwks: s('string', '', 'JWKS file (JSON {keys: [...]}) of RS256/ES256 public keys, chosen by kid'),
  jwtIssuer: s('string', '', 'the iss a token must carry (empty: not checked)'),
  jwtAudience: s('string', '', 'the aud a token must carry (empty: not checked)'),
  jwtClockSkewS: s('int', 30, 'seconds of clock skew allowed when checking exp and nbf', { min: 0, max: 3600 }),
  jwtNameClaim: s('string', 'name', 'token claim that holds the player name (absent: the hello name)'),
  authMaxLength: s('int', 8192, 'longest token in hello.auth or the /ws auth= query, characters', { min: 256, max: 65536 }),
  games: s('string', '', 'an ES module whose default export (or `games` export) is an array of games, run beside the built-in ones', { env: 'SHOAL_GAMES' }),
  poolThreads: s('int', 1, 'threads per worker for games\' CPU-heavy tasks (ctx.pool), started on first use', { min: 1, max: 64 }),
  poolQueue: s('int', 256, 'tasks a worker\'s pool holds waiting for a thread; past that a task fails with POOL_BUSY', { min: 1, max: 100000 }),
  poolTaskTimeoutMs: s('int', 10000, 'a pool task not done this long after it was handed to the pool (waiting for a thread included) fails with POOL_TIMEOUT', { min: 10, max: 600000 }),
  poolNice: s('int', 10, "niceness added to the pool's threads, so on a busy machine the worker's event loop (the tick) wins the CPU from them (0: none)", { min: 0, max: 19 }),
  fourTurnMs: s('int', 30000, 'four in a row: time the player to move has; when it runs out that player loses', { min: 100, max: 3600000 }),
  fourSpectators: s('int', 8, 'four in a row: members a room takes beyond its two seats (joining by room id)', { min: 0, max: 1000 }),
  fourBotDepth: s('int', 6, 'four in a row: plies the computer opponent looks ahead (searched on the pool)', { min: 1, max: 10 }),
  fourBotDelayMs: s('int', 300, "four in a row: the computer's move shows no sooner than this after its turn began", { min: 0, max: 60000 }),
  store: s('string', 'file', 'where the shared world is kept: file (the embedded store under --data; one host) or redis://HOST:PORT[/DB] (many hosts share one world)', { env: 'SHOAL_STORE' }),
  advertise: s('string', '', 'with --store redis: HOST:PORT other hosts send this host\'s players to (default --host:--port when --host is one address)', { env: 'SHOAL_ADVERTISE' }),
  hostId: s('string', '', 'with --store redis: this host\'s name in the shared world (default: the advertised address)', { env: 'SHOAL_HOST_ID' }),
  hostTtlMs: s('int', 5000, 'with --store redis: a host whose heartbeat is this old is dead, and its rooms are taken over by the host a player resumes at', { min: 1000, max: 600000 }),
  redisTimeoutMs: s('int', 2000, 'with --store redis: a Redis command not answered this long fails (a join waiting on it gets UNAVAILABLE)', { min: 100, max: 60000 }),
  // world lane
  worldPollMs: s('int', 500, "with --store redis: a waiting world lock, semaphore or queue pop looks at Redis again at least this often when no wake-up came (a safety net), and the games' world values on /health and world.stats are at most this old", { min: 20, max: 10000 }),
  worldDebug: s('bool', false, 'tests and benches only: lets world.debug.run drive world operations inside workers'),
  logLevel: s('level', 'info', 'log level (fatal, error, warn, info, debug, trace, silent)', { env: 'SHOAL_LOG_LEVEL' }),
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

export interface Config {
  port: number; host: string; workers: number; data: string; console: string;
  maxMsgRate: number; maxFrame: number; maxMsgDepth: number; helloTimeoutMs: number; nameMax: number; chatMax: number;
  gameStringMax: number;
  roomCapacity: number; worldWidth: number; worldHeight: number; hz: number; coins: number;
  playerSpeed: number; pickupRadius: number; graceMs: number; idleTimeoutMs: number;
  listenBacklog: number; maxConnections: number; maxConnectionsPerAddress: number; refusalsPerAddress: number; maxHttpConnections: number;
  httpKeepAliveMs: number; messageTimeoutMs: number; maxOutboundBytes: number;
  rateLimitCloseAfter: number; classifyMaxBytes: number; httpHeadersTimeoutMs: number;
  snapshotMs: number; fsyncMs: number; roomsPerAddressPerMinute: number; roomsPageSize: number; leaderboardSize: number; smallYoungGen: string; httpCacheMs: number; shutdownTimeoutMs: number; hangTimeoutMs: number; startTimeoutMs: number;
  goldenCoinMs: number; games: string; worldDebug: boolean; proxyProtocol: boolean; trustedProxies: string;
  deployCheckTimeoutMs: number; deployResumeTimeoutMs: number;
  consoleMaxConnections: number; consoleMaxLineBytes: number; consoleMaxPipelined: number; consoleLineTimeoutMs: number;
  banForcePrefixV4: number; banForcePrefixV6: number;
  auth: 'none' | 'jwt'; allowGuests: boolean; jwtSecret: string; jwtPublicKey: string; jwtJwks: string;
  jwtIssuer: string; jwtAudience: string; jwtClockSkewS: number; jwtNameClaim: string; authMaxLength: number;
  poolThreads: number; poolQueue: number; poolTaskTimeoutMs: number; poolNice: number;
  fourTurnMs: number; fourSpectators: number; fourBotDepth: number; fourBotDelayMs: number;
  store: string; advertise: string; hostId: string; hostTtlMs: number; redisTimeoutMs: number;
  // world lane
  worldPollMs: number;
  logLevel: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** camelCase setting name -> --kebab-case flag */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** camelCase setting name -> SHOAL_SNAKE_CASE, unless the protocol names it otherwise. */
export function envName(key: SettingName): string {
  const spec: SettingSpec = SETTINGS[key];
  return spec.env ?? 'SHOAL_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}
