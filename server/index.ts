// What `import ... from 'shoal'` gives a game author: the server started from code, the game API
// to write a game against (with TypeBox's `Type` for the messages a game declares), and the
// built-in games to run beside one's own. The client library is `shoal/client` (shared/client).
// Nothing here reaches into a process role: those start inside createServer.
export { createServer, type ServerOptions, type ShoalServer } from './create-server.js';
export type { ProcessRole } from './process-role.js';
export { builtInGames } from './games/index.js';
export { defineGame, StateSync, withSettings } from './game-api/index.js';
export { Type, type Static, type TObject } from '@sinclair/typebox';
export type {
  Field, Fence, Game, GameClientMessage, GameEntry, GameMessages, GameServerMessage, GameServerSettings, GameWithSettings,
  Identity, Lease, LeaseOptions, LockLease, PerSettings, PopOptions, QueueItem, ReportedValue, Room, RoomContext, RoomTimers,
  SeatInfo, SeatRefusal, TaskPool, TimerHandle, World, WorldValue, WriteOptions,
  CollectionOptions, EntityId, StateSyncOptions, SyncedCollection, SyncMsg, SyncOutlet,
} from './game-api/index.js';
