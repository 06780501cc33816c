import { CodedError } from '../../../shared/errors/coded-error.js';
// Argument checking for console commands: every command states its positional count and its
// flags, and anything else is refused before the command touches the server.

export interface ArgSpec {
  /** Fewest and most positional words (max Infinity: the rest is free text). */
  min: number;
  max: number;
  /** Flags that take a value, e.g. { worker: 'int' } for --worker N. */
  flags?: Record<string, 'int' | 'string'>;
}

export interface Parsed {
  pos: string[];
  flags: Record<string, string | number>;
}

export function parseArgs(cmd: string, usage: string, args: string[], spec: ArgSpec): Parsed {
  const pos: string[] = [];
  const flags: Parsed['flags'] = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') && spec.flags ? a.slice(2) : null;
    if (name !== null && spec.flags && name in spec.flags) {
      const v = args[++i];
      if (v === undefined) throw new CodedError('BAD_ARGS', `--${name} needs a value (usage: ${usage})`);
      flags[name] = spec.flags[name] === 'int' ? int(v, `--${name}`, 0, 1_000_000) : v;
      continue;
    }
    if (a.startsWith('--') && spec.max !== Infinity) throw new CodedError('BAD_ARGS', `${cmd}: unknown option ${a} (usage: ${usage})`);
    pos.push(a);
  }
  if (pos.length < spec.min) throw new CodedError('BAD_ARGS', `${cmd}: missing argument (usage: ${usage})`);
  if (pos.length > spec.max) throw new CodedError('BAD_ARGS', `${cmd}: too many arguments (usage: ${usage})`);
  return { pos, flags };
}

/** A whole number in [min, max], or BAD_ARGS naming what was wrong. */
export function int(raw: string, what: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw)) throw new CodedError('BAD_ARGS', `${what} must be a whole number, not ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new CodedError('BAD_ARGS', `${what} must be between ${min} and ${max}, not ${n}`);
  return n;
}

export function num(raw: string, what: string, min: number, max: number): number {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new CodedError('BAD_ARGS', `${what} must be a number, not ${JSON.stringify(raw)}`);
  if (n < min || n > max) throw new CodedError('BAD_ARGS', `${what} must be between ${min} and ${max}, not ${n}`);
  return n;
}

const ROOM_ID = /^[A-Za-z0-9_-]{1,32}$/;
export function roomId(raw: string): string {
  if (!ROOM_ID.test(raw)) throw new CodedError('BAD_ARGS', `${JSON.stringify(raw)} is not a room id (1..32 of A-Z a-z 0-9 _ -)`);
  return raw;
}

const PLAYER_ID = /^[A-Za-z0-9_-]{1,64}$/;
export function playerId(raw: string): string {
  if (!PLAYER_ID.test(raw)) throw new CodedError('BAD_ARGS', `${JSON.stringify(raw)} is not a player id`);
  return raw;
}
