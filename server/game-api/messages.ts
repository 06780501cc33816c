// The client messages a game declares: one TypeBox schema per `t`, written once. The server
// compiles them at start and checks every such message at the edge, so a game's `message` hook
// only ever sees a message that matches its declaration, typed from the same schemas. Games import
// TypeBox from here (Type, Static), not from the package, so the game API stays their one import.
import type { Static } from '@sinclair/typebox';
import type { GameMessages } from './game.js';

export { Type } from '@sinclair/typebox';
export type { Static, TObject, TSchema } from '@sinclair/typebox';

/** The union of a declaration's messages, each with its `t`: what the game's rooms receive. */
export type MessageOf<D extends GameMessages> = {
  [K in keyof D & string]: { readonly t: K } & Static<D[K]>;
}[keyof D & string];

/** Declares a game's messages, keeping each type's name and fields for `MessageOf`. */
export function defineMessages<const D extends GameMessages>(messages: D): D {
  return messages;
}
