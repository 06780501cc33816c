// The game-facing API, in one place: what a game implements (Game, Room), what it is given
// (RoomContext, World, Identity, timers, a thread pool). It imports only shared/ and npm packages,
// so a game built on it depends on no process role (primary, worker, coordinator).
export type { Identity } from './identity.js';
export type {
  GameClientMessage, GameServerMessage, Room, RoomContext, RoomTimers, SeatInfo, SeatRefusal, TaskPool, TimerHandle,
} from './room.js';
export type { Field, Game, GameDefaults, GameMessages, HostedGame, PerSettings, ReportedValue } from './game.js';
export { defineGame, hosted } from './game.js';
export type {
  Fence, Lease, LeaseOptions, LockLease, PopOptions, QueueItem, World, WorldValue, WriteOptions,
} from './world.js';
export type { GameEntry, GameServerSettings, GameWithSettings } from './game-entry.js';
export { withSettings } from './game-entry.js';
