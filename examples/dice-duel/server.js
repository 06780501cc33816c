// @ts-check
// The dice duel server: `npm start -- --port 8000`. Every process of the server runs this file
// (createServer gives each its part); flags and SHOAL_* variables set the server as for `shoal`.
import { createServer, withSettings } from 'shoal';
import { diceDuel } from './dice-duel.js';

const turnMs = Number(process.env.DICE_TURN_MS ?? 10_000);
await createServer({ games: [withSettings(diceDuel, { turnMs })] });
