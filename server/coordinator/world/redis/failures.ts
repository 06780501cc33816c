// What a failed Redis call means to a world op: the scripts' own refusals keep their codes, and
// anything else (Redis away, a command past --redis-timeout-ms) is UNAVAILABLE — the op may or may
// not have taken effect, as with a coordinator that does not answer.
import { CodedError } from '../../../../shared/errors/coded-error.js';

const REFUSALS = new Set(['FENCED', 'NOT_A_NUMBER']);

export function worldError(err: unknown): CodedError {
  if (err instanceof CodedError) return err;
  const message = (err as Error | undefined)?.message ?? String(err);
  const code = /^[A-Z_]+/.exec(message)?.[0] ?? '';
  if (REFUSALS.has(code)) {
    return new CodedError(code, code === 'FENCED' ? 'the lock is no longer held with that token' : 'the value is not a number');
  }
  return new CodedError('UNAVAILABLE', `world store (redis) unreachable: ${message}`);
}

/** Runs a Redis call, turning its failure into a coded one. */
export async function inRedis<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw worldError(err);
  }
}
