#!/usr/bin/env node
// `npm start` and the `shoal` command: a server running the built-in games (and a --games
// module's). Every process of the server runs this script, each in its own role (create-server.ts).
import { createServer } from './create-server.js';
import { builtInGames } from './games/index.js';

createServer({ games: builtInGames }).catch((err) => {
  console.error('shoal: failed to start:', err);
  process.exit(1);
});
