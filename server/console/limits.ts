// The limits `set` may change at run time, what each one reaches, and their validation against
// the SETTINGS table (the same ranges as at start-up). Changes last until the server restarts.
import { SETTINGS, type Config, type SettingSpec } from '../config/schema.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export const SETTABLE = {
  maxMsgRate: 'messages a second per connection; open connections too',
  roomCapacity: 'players a room holds; existing rooms too (players over it stay, new ones wait)',
  maxConnections: 'game connections in total (primary)',
  maxConnectionsPerAddress: 'connections from one address: game, HTTP and unclassified (primary)',
  graceMs: 'time a dropped player keeps its seat (drops from now on)',
  helloTimeoutMs: 'time a new connection has to send hello',
  idleTimeoutMs: 'a connection that sends nothing this long is closed',
  rateLimitCloseAfter: 'messages refused for rate in a row before a connection is closed',
} as const;

export type Limit = keyof typeof SETTABLE;
export type Limits = Partial<Record<Limit, number>>;

export function isLimit(name: string): name is Limit {
  return Object.prototype.hasOwnProperty.call(SETTABLE, name);
}

/** Parses VALUE for LIMIT; throws BAD_ARGS / UNKNOWN_LIMIT and changes nothing. */
export function checkLimit(name: string, raw: string): { limit: Limit; value: number } {
  if (!isLimit(name)) {
    throw new CodedError('UNKNOWN_LIMIT', `${JSON.stringify(name)} cannot be set at run time; one of: ${Object.keys(SETTABLE).join(', ')}`);
  }
  const spec: SettingSpec = SETTINGS[name];
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new CodedError('BAD_ARGS', `${name}: ${JSON.stringify(raw)} is not a number`);
  if (spec.kind === 'int' && !Number.isInteger(n)) throw new CodedError('BAD_ARGS', `${name}: ${raw} is not a whole number`);
  if (spec.min !== undefined && n < spec.min) throw new CodedError('BAD_ARGS', `${name}: ${n} is below the minimum ${spec.min}`);
  if (spec.max !== undefined && n > spec.max) throw new CodedError('BAD_ARGS', `${name}: ${n} is above the maximum ${spec.max}`);
  return { limit: name, value: n };
}

/** Writes limits into a process's live config object (every process holds its own copy). */
export function applyLimits(config: Config, limits: Limits): void {
  for (const [k, v] of Object.entries(limits)) {
    if (isLimit(k) && typeof v === 'number') (config as unknown as Record<string, number>)[k] = v;
  }
}

export function limitRange(name: Limit): { min?: number; max?: number } {
  const spec: SettingSpec = SETTINGS[name];
  return { min: spec.min, max: spec.max };
}
