// The rules for a client message's numbers, shared by the general validation (validate.ts) and the
// fast path for input and ping (hot-messages.ts), so the two cannot judge a value differently.

/** A safe non-negative integer (a float with no fraction counts, as it always has). */
export function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A number in [-1, 1]; NaN fails both comparisons. */
export function isUnit(v: unknown): v is number {
  return typeof v === 'number' && v >= -1 && v <= 1;
}
