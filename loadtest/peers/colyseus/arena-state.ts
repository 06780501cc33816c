// The Colyseus arena's synchronised state: players and coins as @colyseus/schema maps, so
// Colyseus sends each client only the fields that changed since the last patch. Positions are
// whole units on the wire (uint16), as Shoal sends them; the simulation keeps full precision.
import { MapSchema, schema, t, type SchemaType } from '@colyseus/schema';

export const PlayerState = schema({
  x: t.uint16(),
  y: t.uint16(),
  score: t.uint32(),
}, 'PlayerState');
export type PlayerState = SchemaType<typeof PlayerState>;

export const CoinState = schema({
  x: t.uint16(),
  y: t.uint16(),
  value: t.uint8(),
}, 'CoinState');
export type CoinState = SchemaType<typeof CoinState>;

export const ArenaState = schema({
  players: t.map(PlayerState),
  coins: t.map(CoinState),
}, 'ArenaState');
export type ArenaState = SchemaType<typeof ArenaState>;

export { MapSchema };
