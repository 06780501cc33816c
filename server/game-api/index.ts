// The game-facing API, in one place: what a game implements (Game, Room), what it is given
// (RoomContext, World, Identity). It imports only shared/, so a game built on it depends on no
// process role (primary, worker, coordinator) and could be hosted by any of them.
export type { Identity } from './identity.js';
export type { Room, RoomContext, SeatInfo, SeatRefusal } from './room.js';
export type { Field, Game, HostedGame, ReportedValue } from './game.js';
export { hosted } from './game.js';
export type {
  Fence, Lease, LeaseOptions, LockLease, PopOptions, QueueItem, World, WorldValue, WriteOptions,
} from './world.js';
export type { GameEntry, GameServerSettings, GameWithSettings } from './game-entry.js';
export { withSettings } from './game-entry.js';
