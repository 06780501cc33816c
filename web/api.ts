// The HTTP side of the server: room list and leaderboard, same origin as the page.

export interface RoomInfo { id: string; players: number; capacity: number }
export type Standing = [name: string, score: number];

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

export async function fetchRooms(): Promise<RoomInfo[]> {
  const body = await getJson('/rooms');
  if (!Array.isArray(body)) return [];
  return body
    .filter((r): r is RoomInfo => !!r && typeof r.id === 'string' && typeof r.players === 'number' && typeof r.capacity === 'number')
    .sort((a, b) => b.players - a.players || a.id.localeCompare(b.id));
}

export async function fetchLeaderboard(): Promise<Standing[]> {
  const body = await getJson('/leaderboard');
  if (!Array.isArray(body)) return [];
  return body
    .filter((e): e is { name: string; score: number } => !!e && typeof e.name === 'string' && typeof e.score === 'number')
    .map((e): Standing => [e.name, e.score]);
}

/** The WebSocket endpoint on the page's own origin (wss when the page came over https). */
export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
