// The pool task the room hands the computer's move to (ctx.pool.run with this file and
// `bestMove`): loaded by a pool thread, never by the worker's event loop. Its input and answer
// cross the thread boundary by structured clone, so both are plain data.
import { bestMove as search, type SearchInput } from './search.js';

export function bestMove(input: SearchInput): number {
  return search(input);
}
