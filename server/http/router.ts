// HTTP endpoints on the game port. Read-only views of the world; anything else is 404.
// The polled answers (/health, /ready, /rooms, /leaderboard) are written from prepared bytes
// (prepared-answer.ts) and, when the worker already knows them, in the turn the request came.
import type http from 'node:http';
import { AnswerCache } from './answer-cache.js';
import { healthAnswer, liveAnswer, type Readiness } from './health.js';
import { prepareJson, sendPrepared, type PreparedAnswer } from './prepared-answer.js';
import { serveStatic } from './static.js';

export interface HttpDeps {
  stats(): Promise<{ rooms: Array<{ id: string; players: number; capacity: number; slot: number }>; players: number; workers: number }>;
  leaderboard(limit: number): Promise<Array<{ name: string; score: number }>>;
  rooms(offset: number, limit: number): Promise<{ total: number; rooms: Array<{ id: string; players: number; capacity: number; slot: number; game: string }> }>;
  /** Rooms a /rooms page holds by default, and at most. */
  roomsPageSize: number;
  metrics(): Promise<string>;
  uptimeSeconds(): number;
  /** Entries /leaderboard returns when no limit is asked for (the leaderboardSize setting). */
  leaderboardSize: number;
  /** Can new players join now, as the primary sees it (asked with the requester's address). */
  health(address: string): Promise<Readiness>;
  /** The same, from what the primary pushed to this worker (the address asked only if needed); null until it has pushed (then health() asks). */
  healthNow?(address: () => string): Readiness | null;
  /** How long /rooms and /leaderboard answers are reused (the httpCacheMs setting; 0: never). */
  cacheMs: number;
  /** The client's address (behind a trusted proxy, the one it names). */
  clientAddress(req: http.IncomingMessage): string;
  /** --store redis: a REDIRECT may send the page to another host, so its CSP allows that WebSocket. */
  pageMayPlayElsewhere?: boolean;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function text(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An integer query parameter of at least `min`, its default when absent, or null when malformed. */
function intParam(query: URLSearchParams, name: string, def: number, min: number): number | null {
  const raw = query.get(name);
  if (raw === null) return def;
  const n = Number(raw);
  return /^\d+$/.test(raw) && Number.isSafeInteger(n) && n >= min ? n : null;
}

const PLAIN_PATHS = new Set(['/health', '/ready', '/live', '/rooms', '/leaderboard', '/metrics', '/ws']);
const NO_QUERY = new URLSearchParams();

/** The last prepared /health or /ready answer per path and per full/not-full, while its readiness and uptime second hold. */
interface HealthSlot {
  r: Readiness;
  sec: number;
  a: PreparedAnswer;
}

export function createRouter(deps: HttpDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  // Polled answers: a burst of requests within cacheMs costs one round trip, and one serialisation.
  const answers = new AnswerCache<PreparedAnswer>(deps.cacheMs);
  const healthSlots = new Map<string, HealthSlot>();
  const prepareHealth = (path: '/health' | '/ready', r: Readiness): PreparedAnswer => {
    const uptime = deps.uptimeSeconds();
    const sec = Math.round(uptime);
    const key = r.reasons.length === 0 ? path : `${path} ${r.reasons.join(',')}`;
    const hit = healthSlots.get(key);
    if (hit && hit.r === r && hit.sec === sec) return hit.a;
    const h = healthAnswer(path, r, uptime);
    const a = prepareJson(h.status, h.body);
    if (healthSlots.size > 64) healthSlots.clear();
    healthSlots.set(key, { r, sec, a });
    return a;
  };
  const answer = (res: http.ServerResponse, a: PreparedAnswer | Promise<PreparedAnswer>, fail: (err: unknown) => void): void => {
    if (a instanceof Promise) a.then((x) => sendPrepared(res, x), fail);
    else sendPrepared(res, a);
  };
  return (req, res) => {
    // The endpoints' own paths, asked without a query (a poller's usual request), skip URL parsing.
    const raw = req.url ?? '/';
    const url = PLAIN_PATHS.has(raw) ? null : new URL(raw, 'http://x');
    const pathname = url ? url.pathname : raw;
    const query = url ? url.searchParams : NO_QUERY;
    const fail = (err: unknown) => {
      if (!res.headersSent) json(res, 503, { error: 'UNAVAILABLE', message: (err as Error).message });
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not served here` });
    }
    switch (pathname) {
      case '/live': {
        const a = liveAnswer(deps.uptimeSeconds());
        return json(res, a.status, a.body);
      }
      case '/health':
      case '/ready': {
        const path = pathname;
        const known = deps.healthNow?.(() => deps.clientAddress(req));
        if (known) return sendPrepared(res, prepareHealth(path, known));
        deps.health(deps.clientAddress(req)).then((r) => {
          const a = healthAnswer(path, r, deps.uptimeSeconds());
          json(res, a.status, a.body);
        }, fail);
        return;
      }
      case '/rooms': {
        // Still a plain array, so a v1 client reads it as before; a page of it at a time, with the
        // total in x-total-count and the next page in Link.
        const limit = intParam(query, 'limit', deps.roomsPageSize, 1);
        const offset = intParam(query, 'offset', 0, 0);
        if (limit === null || offset === null) {
          return json(res, 400, { error: 'BAD_REQUEST', message: 'limit must be a positive integer and offset a non-negative one' });
        }
        const size = Math.min(limit, deps.roomsPageSize);
        const page = answers.get(`rooms ${offset} ${size}`, () => deps.rooms(offset, size).then((p) => {
          const extra = ['x-total-count', String(p.total)];
          const next = offset + p.rooms.length;
          if (p.rooms.length > 0 && next < p.total) extra.push('link', `</rooms?offset=${next}&limit=${p.rooms.length}>; rel="next"`);
          // `worker` and `game` are additive fields: which worker slot runs the room, and what it plays.
          return prepareJson(200, p.rooms.map((r) => ({ id: r.id, players: r.players, capacity: r.capacity, worker: r.slot, game: r.game })), extra);
        }));
        return answer(res, page, fail);
      }
      case '/leaderboard': {
        const asked = query.get('limit');
        const limit = asked === null ? deps.leaderboardSize : Number(asked);
        if (!Number.isInteger(limit) || limit < 1) return json(res, 400, { error: 'BAD_REQUEST', message: 'limit must be a positive integer' });
        return answer(res, answers.get(`leaderboard ${limit}`, () => deps.leaderboard(limit).then((l) => prepareJson(200, l))), fail);
      }
      case '/metrics':
        deps.metrics().then((m) => text(res, 200, m, 'text/plain; version=0.0.4; charset=utf-8'), fail);
        return;
      case '/ws':
        return json(res, 426, { error: 'UPGRADE_REQUIRED', message: 'connect with a WebSocket' });
    }
    if (serveStatic(req, res, deps.pageMayPlayElsewhere === true)) return;
    json(res, 404, { error: 'NOT_FOUND', message: `no such endpoint ${pathname}` });
  };
}
