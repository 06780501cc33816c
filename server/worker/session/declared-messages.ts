// A stand-in for the schemas lane's edge check of a game's declared messages (issue 13): a
// message whose `t` the core protocol does not know goes to the room only when its game declares
// that `t` and the message matches the declared TypeBox shape. The lead replaces this file with
// the compiled validators (shared/protocol/game-messages.ts) at merge.
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_MAX_DEPTH, decodeStrict } from '../../../shared/protocol/decoder.js';
import type { GameClientMessage, GameMessages } from '../../game-api/index.js';

export type DeclaredParse = { ok: true; msg: GameClientMessage } | { ok: false; message: string } | null;

/** null: not a message this game declares (the core answer, UNKNOWN_TYPE, stands). */
export function parseDeclared(body: Uint8Array, messages: GameMessages, maxDepth = DEFAULT_MAX_DEPTH): DeclaredParse {
  const m = decodeStrict(body, maxDepth) as Record<string, unknown>;
  const t = m.t as string;
  const schema = Object.hasOwn(messages, t) ? messages[t] : undefined;
  if (!schema) return null;
  const { t: _t, ...fields } = m;
  if (!Value.Check(schema, fields)) {
    const first = Value.Errors(schema, fields).First();
    return { ok: false, message: `${t}${first?.path.replaceAll('/', '.') ?? ''}: ${first?.message ?? 'does not match its declared shape'}` };
  }
  return { ok: true, msg: m as GameClientMessage };
}
