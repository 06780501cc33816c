// Four in a row, the second built-in game: two seats (quick-join pairs two waiting players),
// spectators by room id, no tick (hz 0: it runs on messages and the turn timer), its messages
// and error codes declared for the edge, and a computer opponent searching on the pool.
import type { Game } from '../../game-api/index.js';
import { FOUR_ERRORS, FOUR_MESSAGES } from './messages.js';
import { FourRoom, type FourSnapshot } from './room.js';
import type { FourSettings } from './settings.js';
import { FOUR_REPORTS } from './world-keys.js';

export const four: Game<FourSettings> = {
  name: 'four',
  version: 1,
  seats: 2,
  capacity: (s) => 2 + s.spectators,
  hz: 0,
  messages: FOUR_MESSAGES,
  errors: FOUR_ERRORS,
  create: (ctx, settings, snapshot) => new FourRoom(ctx, settings, snapshot as FourSnapshot | undefined),
  reports: FOUR_REPORTS,
};
