// A game's declared messages at the edge, in process (shared/protocol/game-messages.ts through
// parseClientMessage, the function every session calls): core types keep their own rules whatever
// a game declares; a game may not declare a core type (refused when compiled, at start); a `t`
// neither core nor declared is UNKNOWN_TYPE; a declared message with a bad, missing or extra field
// is BAD_MESSAGE naming the field's path; strings are capped (the schema's maxLength, else
// --game-string-max) and the decoder's depth limit holds. Over real sockets: test/core/game-messages.test.ts.
import { describe, expect, it } from 'vitest';
import { encode } from '../../../shared/protocol/codec.js';
import { compileGameMessages, CORE_MESSAGE_TYPES, type MessageSchemas } from '../../../shared/protocol/game-messages.js';
import { parseClientMessage, type Parsed } from '../../../shared/protocol/validate.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { defineGame, defineMessages, Type, type MessageOf, type Room } from '../../../server/game-api/index.js';
import type { InputMsg } from '../../../shared/protocol/messages.js';

const messages = defineMessages({
  drop: Type.Object({ col: Type.Integer({ minimum: 0, maximum: 6 }) }),
  say: Type.Object({ text: Type.String(), mood: Type.Optional(Type.Union([Type.Literal('happy'), Type.Literal('sad')])) }),
  move: Type.Object({ path: Type.Array(Type.Object({ x: Type.Number({ minimum: -1, maximum: 1 }), y: Type.Number() }), { maxItems: 4 }) }),
  tag: Type.Object({ label: Type.String({ maxLength: 4 }) }, { additionalProperties: true }),
  aim: Type.Object({ at: Type.Number(), flag: Type.Boolean() }),
  opts: Type.Object({ o: Type.Object({ a: Type.Optional(Type.Integer()) }), more: Type.Optional(Type.Object({}, { additionalProperties: true })) }),
});

const STRING_MAX = 20;
const game = compileGameMessages('test', messages, { stringMax: STRING_MAX });
const parse = (m: unknown, limits?: Parameters<typeof parseClientMessage>[1]): Parsed => parseClientMessage(Buffer.from(encode(m)), limits, game);
const refusal = (m: unknown) => {
  const p = parse(m);
  if (p.ok) throw new Error(`accepted ${JSON.stringify(m)}`);
  return `${p.code} ${p.message}`;
};

describe('declared game messages at the edge', () => {
  it('accepts a declared message as sent, marked as the game\'s, with its t', () => {
    for (const m of [
      { t: 'drop', col: 0 }, { t: 'drop', col: 6 },
      { t: 'say', text: 'hi' }, { t: 'say', text: 'hi', mood: 'sad' },
      { t: 'move', path: [{ x: -1, y: 3.5 }, { x: 1, y: -2 }] }, { t: 'move', path: [] },
      { t: 'tag', label: 'abcd', anything: [1, 2] },
      { t: 'aim', at: 0.25, flag: false },
    ]) {
      const p = parse(m);
      expect(p).toEqual({ ok: true, msg: m, game: true });
    }
    // What a room receives is typed from the declaration (checked by npm run typecheck:test).
    const typed: MessageOf<typeof messages> = { t: 'drop', col: 3 };
    expect(typed.t).toBe('drop');
  });

  it('types a room\'s message hook from the declaration, and such a room is a game\'s room', () => {
    class TypedRoom implements Room<MessageOf<typeof messages>> {
      readonly seen: string[] = [];
      size = 0;
      join(): void {}
      leave(): void {}
      setFrozen(): void {}
      snapshot(): unknown {
        return {};
      }
      message(_id: string, msg: InputMsg | MessageOf<typeof messages>): void {
        // Narrowing on t gives each declared message its fields.
        if (msg.t === 'drop') this.seen.push(`drop ${msg.col + 0}`);
        else if (msg.t === 'say') this.seen.push(`say ${msg.text.length} ${msg.mood ?? '-'}`);
        else if (msg.t === 'input') this.seen.push(`input ${msg.dx}`);
      }
    }
    const g = defineGame({ name: 'typed', messages, create: () => new TypedRoom() });
    const room = g.create({} as never, undefined) as TypedRoom;
    for (const m of [{ t: 'drop', col: 2 }, { t: 'say', text: 'hey', mood: 'happy' }]) {
      const p = parse(m);
      if (p.ok && p.game) room.message('p1', p.msg as MessageOf<typeof messages>);
    }
    expect(room.seen).toEqual(['drop 2', 'say 3 happy']);
  });

  it('a field of the wrong type or out of range: BAD_MESSAGE naming the field and what it must be', () => {
    expect(refusal({ t: 'drop', col: 7 })).toBe('BAD_MESSAGE drop.col: expected integer 0..6');
    expect(refusal({ t: 'drop', col: -1 })).toBe('BAD_MESSAGE drop.col: expected integer 0..6');
    expect(refusal({ t: 'drop', col: 2.5 })).toBe('BAD_MESSAGE drop.col: expected integer 0..6');
    expect(refusal({ t: 'drop', col: '3' })).toBe('BAD_MESSAGE drop.col: expected integer 0..6');
    expect(refusal({ t: 'drop', col: null })).toBe('BAD_MESSAGE drop.col: expected integer 0..6');
    expect(refusal({ t: 'say', text: 'hi', mood: 'meh' })).toBe('BAD_MESSAGE say.mood: expected one of "happy", "sad"');
    expect(refusal({ t: 'say', text: 5 })).toBe(`BAD_MESSAGE say.text: expected string of 0..${STRING_MAX} characters`);
    expect(refusal({ t: 'say', text: new Uint8Array([104, 105]) })).toBe(`BAD_MESSAGE say.text: expected string of 0..${STRING_MAX} characters`);
    expect(refusal({ t: 'aim', at: 1, flag: 1 })).toBe('BAD_MESSAGE aim.flag: expected boolean');
    expect(refusal({ t: 'move', path: { x: 1 } })).toBe('BAD_MESSAGE move.path: expected array of 0..4 items');
  });

  it('names the path inside arrays and nested maps', () => {
    expect(refusal({ t: 'move', path: [{ x: 0, y: 0 }, { x: 2, y: 0 }] })).toBe('BAD_MESSAGE move.path[1].x: expected number -1..1');
    expect(refusal({ t: 'move', path: [{ x: 0 }] })).toBe('BAD_MESSAGE move.path[0].y: missing, expected number');
    expect(refusal({ t: 'move', path: [{ x: 0, y: 0, z: 1 }] })).toBe('BAD_MESSAGE move.path[0].z: not a declared field');
  });

  it('a map field is a MessagePack map: not a bin (TypeBox alone would take an empty one), an array or a number', () => {
    expect(parse({ t: 'opts', o: {} })).toEqual({ ok: true, msg: { t: 'opts', o: {} }, game: true });
    expect(parse({ t: 'opts', o: { a: 1 }, more: { x: [1] } }).ok).toBe(true);
    expect(refusal({ t: 'opts', o: new Uint8Array(0) })).toBe('BAD_MESSAGE opts.o: expected map');
    expect(refusal({ t: 'opts', o: {}, more: new Uint8Array([1, 2]) })).toBe('BAD_MESSAGE opts.more: expected map');
    expect(refusal({ t: 'opts', o: [] })).toBe('BAD_MESSAGE opts.o: expected map');
    expect(refusal({ t: 'opts', o: 5 })).toBe('BAD_MESSAGE opts.o: expected map');
    expect(refusal({ t: 'opts' })).toBe('BAD_MESSAGE opts.o: missing, expected map');
    expect(refusal({ t: 'opts', o: { a: 1.5 } })).toBe('BAD_MESSAGE opts.o.a: expected integer');
    expect(refusal({ t: 'opts', o: { b: 1 } })).toBe('BAD_MESSAGE opts.o.b: not a declared field');
  });

  it('NaN and infinities are not numbers here (MessagePack floats can carry them)', () => {
    expect(refusal({ t: 'aim', at: NaN, flag: true })).toBe('BAD_MESSAGE aim.at: expected number');
    expect(refusal({ t: 'aim', at: Infinity, flag: true })).toBe('BAD_MESSAGE aim.at: expected number');
    expect(refusal({ t: 'move', path: [{ x: 0, y: -Infinity }] })).toBe('BAD_MESSAGE move.path[0].y: expected number');
  });

  it('a missing field: BAD_MESSAGE naming it', () => {
    expect(refusal({ t: 'drop' })).toBe('BAD_MESSAGE drop.col: missing, expected integer 0..6');
    expect(refusal({ t: 'aim', at: 1 })).toBe('BAD_MESSAGE aim.flag: missing, expected boolean');
  });

  it('a field the declaration does not name is refused, unless the declaration allows more', () => {
    expect(refusal({ t: 'drop', col: 1, extra: true })).toBe('BAD_MESSAGE drop.extra: not a declared field');
    // A key that is not a plain name is quoted, clipped, in the path.
    expect(refusal({ t: 'drop', col: 1, ['x y/'.repeat(20)]: 1 })).toBe(`BAD_MESSAGE drop[${JSON.stringify('x y/'.repeat(8))}]: not a declared field`);
    expect(refusal({ t: 'drop', col: 1, __proto__x: 1 })).toBe('BAD_MESSAGE drop.__proto__x: not a declared field');
    expect(parse({ t: 'tag', label: 'a', more: { deep: 1 } }).ok).toBe(true);
  });

  it('a string field without maxLength is capped by the setting; one with it by its own', () => {
    expect(parse({ t: 'say', text: 'x'.repeat(STRING_MAX) }).ok).toBe(true);
    expect(refusal({ t: 'say', text: 'x'.repeat(STRING_MAX + 1) })).toBe(`BAD_MESSAGE say.text: expected string of 0..${STRING_MAX} characters`);
    expect(refusal({ t: 'tag', label: 'abcde' })).toBe('BAD_MESSAGE tag.label: expected string of 0..4 characters');
    // The setting is read when the set is compiled.
    const wide = compileGameMessages('test', messages, { stringMax: 1000 });
    expect(parseClientMessage(Buffer.from(encode({ t: 'say', text: 'x'.repeat(1000) })), undefined, wide).ok).toBe(true);
  });

  it('the decoder\'s depth limit holds for a declared message (refused before its schema is asked)', () => {
    const deep = compileGameMessages('test', { blob: Type.Object({ v: Type.Unknown() }) }, { stringMax: 10 });
    let v: unknown = 1;
    for (let i = 0; i < 20; i++) v = [v];
    const p = parseClientMessage(Buffer.from(encode({ t: 'blob', v })), { nameMax: 32, chatMax: 280, maxMsgDepth: 16 }, deep);
    expect(p.ok).toBe(false);
    expect(p.ok === false && p.code).toBe('BAD_MESSAGE');
    expect(p.ok === false && p.message).toMatch(/nested too deep/);
  });

  it('a t neither core nor declared is UNKNOWN_TYPE, as without a game', () => {
    expect(refusal({ t: 'nope', col: 1 })).toBe('UNKNOWN_TYPE unknown message type "nope"');
    expect(refusal({ t: 'DROP', col: 1 })).toBe('UNKNOWN_TYPE unknown message type "DROP"');
    expect(refusal({ t: 'toString' })).toBe('UNKNOWN_TYPE unknown message type "toString"');
    expect(refusal({ t: '__proto__' })).toBe('UNKNOWN_TYPE unknown message type "__proto__"');
    // Without the game's set (a session not yet joined), a declared type is unknown too.
    const p = parseClientMessage(Buffer.from(encode({ t: 'drop', col: 1 })));
    expect(p).toEqual({ ok: false, code: 'UNKNOWN_TYPE', message: 'unknown message type "drop"' });
  });

  it('core types keep exactly their own rules, with or without a game\'s declarations', () => {
    const core: unknown[] = [
      { t: 'hello', v: 1, name: 'ann' }, { t: 'hello', v: 2, name: 'ann' }, { t: 'hello', v: 1, name: 'a'.repeat(40) },
      { t: 'input', seq: 1, dx: 0.5, dy: -1 }, { t: 'input', seq: -1, dx: 0, dy: 0 }, { t: 'input', seq: 1, dx: 2, dy: 0 },
      { t: 'input', seq: 1, dx: 0, dy: 0, extra: 1 },
      { t: 'chat', text: 'hi' }, { t: 'chat', text: '' }, { t: 'chat', text: 'hi', scope: 'galaxy' },
      { t: 'ping', id: 3 }, { t: 'ping', id: 'x' }, { t: 'top' }, { t: 'leave' },
      { t: 1 }, [1], 'x',
    ];
    for (const m of core) {
      const bytes = Buffer.from(encode(m));
      expect(parseClientMessage(bytes, undefined, game)).toEqual(parseClientMessage(bytes));
    }
  });
});

describe('declarations the server refuses when it compiles them (at start)', () => {
  const refused = (schemas: MessageSchemas): string => {
    try {
      compileGameMessages('test', schemas, { stringMax: 10 });
    } catch (e) {
      expect(e).toBeInstanceOf(CodedError);
      return `${(e as CodedError).code} ${(e as CodedError).message}`;
    }
    throw new Error('compiled');
  };

  it('a core type, each of them', () => {
    expect(CORE_MESSAGE_TYPES).toEqual(['hello', 'input', 'chat', 'ping', 'top', 'leave']);
    for (const t of CORE_MESSAGE_TYPES) {
      expect(refused({ ok: Type.Object({}), [t]: Type.Object({ seq: Type.Integer() }) })).toBe(
        `BAD_GAME_MESSAGES game "test": message type "${t}" is a core type (hello, input, chat, ping, top, leave); a game may not declare it`,
      );
    }
  });

  it('a schema declaring t, one that is not an object, a badly named type', () => {
    expect(refused({ drop: Type.Object({ t: Type.String() }) })).toBe('BAD_GAME_MESSAGES game "test": message "drop" declares a field t; the server adds it');
    expect(refused({ drop: Type.String() as never })).toBe('BAD_GAME_MESSAGES game "test": message "drop" must be declared as Type.Object({...})');
    expect(refused({ 'a b': Type.Object({}) })).toBe('BAD_GAME_MESSAGES game "test": message type "a b" must be 1..32 of [A-Za-z0-9_-], a letter first');
    expect(refused({ ['x'.repeat(33)]: Type.Object({}) })).toMatch(/must be 1\.\.32 of/);
  });

  it('does not change the game\'s own schema objects', () => {
    const s = Type.Object({ text: Type.String() });
    compileGameMessages('test', { say: s }, { stringMax: 10 });
    expect(s.additionalProperties).toBeUndefined();
    expect(s.properties.text.maxLength).toBeUndefined();
  });
});
