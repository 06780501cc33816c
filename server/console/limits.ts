// Checking a limit `set` changes at run time against the SETTINGS table (the same ranges as at
// start-up) and applying it to a live config. Which limits are settable is boundary data
// (ipc/admin-types.ts). Changes last until the server restarts.
import { SETTINGS, type Config, type SettingSpec } from '../config/schema.js';
import { CodedError } from '../../shared/errors/coded-error.js';
import { SETTABLE, type Limit, type Limits } from '../ipc/admin-types.js';

export { SETTABLE, type Limit, type Limits };

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
