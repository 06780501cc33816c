// The HTTP side of the server: room list and leaderboard, same origin as the page.

/** `game`: what the room plays (additive: a server that does not say lists arena rooms). */
export interface RoomInfo { id: string; players: number; capacity: number; game?: string }
/** A guest's line (a server with accounts) carries a third element, true. */
export type Standing = [name: string, score: number] | [name: string, score: number, guest: true];

async function getResponse(path: string): Promise<Response> {
  const res = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res;
}

async function getJson(path: string): Promise<unknown> {
  return (await getResponse(path)).json();
}

/** One page of the room list: the server's page size, from `offset`; `total` rooms in all. */
export interface RoomPage { rooms: RoomInfo[]; offset: number; total: number }

export async function fetchRooms(offset = 0): Promise<RoomPage> {
  const res = await getResponse(`/rooms?offset=${offset}`);
  const body: unknown = await res.json();
  const rooms = (Array.isArray(body) ? (body as unknown[]) : [])
    .filter((r): r is RoomInfo => isRecord(r) && typeof r.id === 'string' && typeof r.players === 'number' && typeof r.capacity === 'number')
    .map((r): RoomInfo => ({ id: r.id, players: r.players, capacity: r.capacity, ...(typeof r.game === 'string' ? { game: r.game } : {}) }))
    .sort((a, b) => b.players - a.players || a.id.localeCompare(b.id));
  const total = Number(res.headers.get('x-total-count'));
  return { rooms, offset, total: Number.isFinite(total) && total >= offset + rooms.length ? total : offset + rooms.length };
}

export async function fetchLeaderboard(): Promise<Standing[]> {
  const body = await getJson('/leaderboard');
  if (!Array.isArray(body)) return [];
  return (body as unknown[])
    .filter((e): e is { name: string; score: number; guest?: boolean } => isRecord(e) && typeof e.name === 'string' && typeof e.score === 'number')
    .map((e): Standing => (e.guest === true ? [e.name, e.score, true] : [e.name, e.score]));
}

/** The WebSocket endpoint on the page's own origin (wss when the page came over https). */
export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
