// A game's declared client messages, compiled once into the checker the edge uses (validate.ts):
// the game writes each message's fields once, as a TypeBox schema, and a client message of that
// `t` is accepted only if it matches, with the same guarantees as the built-in messages. Takes the
// schemas as input (it knows no game and no server); the server compiles every game's set at start,
// so a bad declaration stops the server there, not at a player's first message.
//
// What the compiled set adds to a declared schema, so a game cannot forget a limit:
//   - `t` is the declared name and is added by the set (a schema may not declare `t`);
//   - a map refuses fields it does not declare (additionalProperties false), at every depth,
//     unless the schema says otherwise;
//   - a string without its own maxLength is capped at `stringMax` (UTF-16 units, like JS length);
//   - a map field is a MessagePack map (TypeBox alone would take an empty bin for one);
//   - a core type (hello, input, chat, ping, top, leave) may not be declared: it keeps its own rules.
// Frame size and nesting depth are the decoder's, before any of this runs; they alone bound what a
// schema leaves open (Type.Unknown fields, Type.Record keys, arrays without maxItems). Not exported from
// shared/protocol/index.ts: the browser bundle has no use for the compiler.
import { Kind, Type, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { CodedError } from '../errors/coded-error.js';
import type { ClientMessageType, GameMessage } from './messages.js';
import type { GameMessageChecker, Parsed } from './validate.js';

/** A game's client messages: by `t`, the message's fields (without `t`). */
export type MessageSchemas = Readonly<Record<string, TObject>>;

export interface GameMessageLimits {
  /** Longest string field without its own maxLength, in UTF-16 units. */
  stringMax: number;
}

const CORE: Record<ClientMessageType, true> = { hello: true, input: true, chat: true, ping: true, top: true, leave: true };
/** The message types every game has, with the server's own rules; a game may not declare them. */
export const CORE_MESSAGE_TYPES = Object.keys(CORE) as readonly ClientMessageType[];

/** What a declared type may be called: short, printable, a letter first. */
export const GAME_MESSAGE_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

interface Compiled {
  readonly check: TypeCheck<TSchema>;
}

/** A game's compiled messages: what the edge asks for any `t` that is not core. */
export class GameMessageSet implements GameMessageChecker {
  constructor(
    readonly game: string,
    private readonly byType: ReadonlyMap<string, Compiled>,
  ) {}

  /** The declared types, in declaration order. */
  get types(): string[] {
    return [...this.byType.keys()];
  }

  check(t: string, m: Record<string, unknown>): Parsed | undefined {
    const c = this.byType.get(t);
    if (c === undefined) return undefined;
    if (c.check.Check(m)) return { ok: true, msg: m as GameMessage, game: true };
    // Only a refused message pays for finding out why.
    return { ok: false, code: 'BAD_MESSAGE', message: explain(t, firstError(c.check.Errors(m))) };
  }
}

/** Refused at start: the game, the type and the reason in one line. */
function refuse(game: string, message: string): never {
  throw new CodedError('BAD_GAME_MESSAGES', `game ${JSON.stringify(game)}: ${message}`);
}

/**
 * Compiles a game's declared messages, or throws BAD_GAME_MESSAGES naming the game and the type:
 * a core type, a badly named type, a schema that is not an object or declares `t`, or one
 * TypeBox cannot compile (a reference it cannot resolve).
 */
export function compileGameMessages(game: string, schemas: MessageSchemas, limits: GameMessageLimits): GameMessageSet {
  const byType = new Map<string, Compiled>();
  for (const [t, schema] of Object.entries(schemas)) {
    if (Object.hasOwn(CORE, t)) refuse(game, `message type ${JSON.stringify(t)} is a core type (${CORE_MESSAGE_TYPES.join(', ')}); a game may not declare it`);
    if (!GAME_MESSAGE_TYPE_PATTERN.test(t)) refuse(game, `message type ${JSON.stringify(t.slice(0, 40))} must be 1..32 of [A-Za-z0-9_-], a letter first`);
    if (schema === null || typeof schema !== 'object' || schema[Kind] !== 'Object') {
      refuse(game, `message ${JSON.stringify(t)} must be declared as Type.Object({...})`);
    }
    if (Object.hasOwn(schema.properties, 't')) refuse(game, `message ${JSON.stringify(t)} declares a field t; the server adds it`);
    // The message itself is a map already (validate.ts): no bin check at its top.
    const root = closeObject(schema, limits.stringMax, true);
    const full: TObject = {
      ...root,
      properties: { t: Type.Literal(t), ...root.properties },
      required: ['t', ...(root.required ?? [])],
    };
    let check: TypeCheck<TSchema>;
    try {
      check = TypeCompiler.Compile(full);
    } catch (e) {
      refuse(game, `message ${JSON.stringify(t)} does not compile: ${(e as Error).message}`);
    }
    byType.set(t, { check });
  }
  return new GameMessageSet(game, byType);
}

/** An object schema's copy with its fields closed, and itself closed to undeclared fields unless it says otherwise. */
function closeObject(s: TObject, stringMax: number, closeMaps: boolean): TObject {
  const properties: Record<string, TSchema> = {};
  for (const [k, v] of Object.entries(s.properties)) properties[k] = close(v, stringMax);
  const extra = s.additionalProperties;
  return {
    ...s,
    properties,
    additionalProperties: extra === undefined ? (closeMaps ? false : undefined) : typeof extra === 'object' ? close(extra, stringMax) : extra,
  };
}

/**
 * A copy of the schema with the server's defaults filled in where the game said nothing: maps
 * closed to undeclared fields, strings capped. `closeMaps` is false for the parts of an
 * intersection (which close the whole instead: unevaluatedProperties).
 */
function close(s: TSchema, stringMax: number, closeMaps = true): TSchema {
  switch (s[Kind]) {
    case 'String':
      return s.maxLength === undefined ? { ...s, maxLength: stringMax } : s;
    case 'Object': {
      const o = closeObject(s as TObject, stringMax, closeMaps);
      // TypeBox's object check lets a typed array through (it is an object with no own names when
      // empty): a MessagePack bin where a map is declared must not reach the game as one.
      return closeMaps ? Type.Intersect([Type.Not(Type.Uint8Array()), o]) : o;
    }
    case 'Array':
      return { ...s, items: close(s.items as TSchema, stringMax) };
    case 'Tuple':
      return s.items === undefined ? s : { ...s, items: (s.items as TSchema[]).map((i) => close(i, stringMax)) };
    case 'Union':
      return { ...s, anyOf: (s.anyOf as TSchema[]).map((i) => close(i, stringMax)) };
    case 'Intersect':
      return {
        ...s,
        allOf: (s.allOf as TSchema[]).map((i) => close(i, stringMax, false)),
        unevaluatedProperties: (s.unevaluatedProperties as boolean | TSchema | undefined) ?? false,
      };
    case 'Record': {
      const pattern = s.patternProperties as Record<string, TSchema>;
      const out: Record<string, TSchema> = {};
      for (const [k, v] of Object.entries(pattern)) out[k] = close(v, stringMax);
      return { ...s, patternProperties: out };
    }
    default:
      return s;
  }
}

// --- why a message was refused ----------------------------------------------------------------

/** `drop.col`, `move.path[2].x`: the field's path as a reader writes it, keys clipped. */
function fieldPath(t: string, pointer: string): string {
  let out = t;
  if (pointer === '') return out;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]{0,31}$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key.slice(0, 32))}]`;
  }
  return out;
}

function range(s: TSchema): string {
  const lo = s.minimum as number | undefined;
  const hi = s.maximum as number | undefined;
  const xlo = s.exclusiveMinimum as number | undefined;
  const xhi = s.exclusiveMaximum as number | undefined;
  const parts: string[] = [];
  if (lo !== undefined && hi !== undefined) parts.push(`${lo}..${hi}`);
  else if (lo !== undefined) parts.push(`>= ${lo}`);
  else if (hi !== undefined) parts.push(`<= ${hi}`);
  if (xlo !== undefined) parts.push(`> ${xlo}`);
  if (xhi !== undefined) parts.push(`< ${xhi}`);
  if (s.multipleOf !== undefined) parts.push(`a multiple of ${s.multipleOf as number}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

/** What the schema wants, in a few words (the declaration's own words: never the input's). */
function describe(s: TSchema): string {
  switch (s[Kind]) {
    case 'Integer':
      return `expected integer${range(s)}`;
    case 'Number':
      return `expected number${range(s)}`;
    case 'String': {
      let d = `expected string of ${(s.minLength as number | undefined) ?? 0}..${s.maxLength as number} characters`;
      if (typeof s.pattern === 'string') d += ` matching /${s.pattern}/`;
      if (typeof s.format === 'string') d += ` (${s.format})`;
      return d;
    }
    case 'Boolean':
      return 'expected boolean';
    case 'Null':
      return 'expected nil';
    case 'Literal':
      return `expected ${JSON.stringify(s.const)}`;
    case 'Union': {
      const options = s.anyOf as TSchema[];
      if (options.every((o) => o[Kind] === 'Literal')) return `expected one of ${options.map((o) => JSON.stringify(o.const)).join(', ')}`;
      return `expected one of: ${options.map(describe).map((d) => d.replace(/^expected /, '')).join('; ')}`;
    }
    case 'Array': {
      const min = (s.minItems as number | undefined) ?? 0;
      const max = s.maxItems as number | undefined;
      const n = max === undefined ? (min > 0 ? ` of at least ${min} items` : '') : ` of ${min}..${max} items`;
      return `expected array${n}${s.uniqueItems === true ? ', all different' : ''}`;
    }
    case 'Tuple':
      return `expected array of ${(s.maxItems as number | undefined) ?? 0} items`;
    case 'Object':
    case 'Record':
      return 'expected map';
    case 'Intersect': // a declared map (with its bin guard), or the game's own intersection of maps
      return (s.allOf as TSchema[]).some((p) => p[Kind] === 'Object') ? 'expected map' : 'expected a value of the declared shape';
    case 'Uint8Array':
      return 'expected binary';
    default:
      return 'expected a value of the declared shape';
  }
}

/** The first error that says something: an intersection's own error only announces its parts'. */
function firstError(errors: Iterable<ValueError>): ValueError | undefined {
  for (const e of errors) if (e.type !== ValueErrorType.Intersect) return e;
  return undefined;
}

function explain(t: string, e: ValueError | undefined): string {
  if (e === undefined) return `${t}: does not match its declaration`;
  const where = fieldPath(t, e.path);
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
    case ValueErrorType.IntersectUnevaluatedProperties:
      return `${where}: not a declared field`;
    case ValueErrorType.ObjectRequiredProperty:
      return `${where}: missing, ${describe(e.schema)}`;
    case ValueErrorType.Not: // only the bin-for-a-map guard above
      return `${where}: expected map`;
    default:
      return `${where}: ${describe(e.schema)}`;
  }
}

