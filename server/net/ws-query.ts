// The one cleaning of the values a connection is routed by (room, token and game, from a TCP hello
// or a WebSocket's /ws?room=&token=&game=&auth= query), used by the primary (to route the connection) and by
// the worker (as defaults for what hello leaves out). Only well-formed values are kept; anything
// else is dropped here and left for hello's validation to refuse.
import { GAME_NAME_PATTERN, PROTOCOL_LIMITS, ROOM_ID_PATTERN } from '../../shared/protocol/limits.js';

export interface WsQuery {
  room?: string;
  token?: string;
  /** The game the hello will ask for: quick-join is routed to a room of it. */
  game?: string;
  auth?: string;
}


/** A room id worth routing by, or undefined. */
export function routeRoom(v: string | null | undefined): string | undefined {
  return v && ROOM_ID_PATTERN.test(v) ? v : undefined;
}

/** A game name worth routing by, or undefined (then the primary routes as for the arena). */
export function routeGame(v: string | null | undefined): string | undefined {
  return v && GAME_NAME_PATTERN.test(v) ? v : undefined;
}

/** A token worth routing by (not empty, not over the protocol's limit), or undefined. */
export function routeToken(v: string | null | undefined): string | undefined {
  return v && v.length <= PROTOCOL_LIMITS.tokenMax ? v : undefined;
}

/** authMax: the longest auth value kept (config.authMaxLength); without it, auth is not read. */
export function wsQuery(params: URLSearchParams, authMax?: number): WsQuery {
  const auth = authMax === undefined ? null : params.get('auth');
  return {
    room: routeRoom(params.get('room')),
    token: routeToken(params.get('token')),
    game: routeGame(params.get('game')),
    auth: auth && authMax !== undefined && auth.length <= authMax ? auth : undefined,
  };
}
