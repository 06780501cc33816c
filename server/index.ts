// What `import ... from 'shoal'` gives a game author: the server started from code, the game API
// to write a game against, and the built-in games to run beside one's own. The client library is
// `shoal/client` (shared/client). Nothing here reaches into a process role: those start inside
// createServer.
export { createServer, type ServerOptions, type ShoalServer } from './create-server.js';
export type { ProcessRole } from './process-role.js';
export { builtInGames } from './games/index.js';
export { withSettings } from './game-api/index.js';
export type {
  Field, Fence, Game, GameEntry, GameServerSettings, GameWithSettings, Identity, Lease, LeaseOptions, LockLease,
  PopOptions, QueueItem, ReportedValue, Room, RoomContext, SeatInfo, SeatRefusal, World, WorldValue, WriteOptions,
} from './game-api/index.js';
