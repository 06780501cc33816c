// Spots a `pong` without decoding: Shoal and the baselines encode maps with `t` first, so the
// bytes start 0x8N 0xa1 't' 0xa4 'p' 'o' 'n' 'g'. Anything else is decoded to be sure, which
// keeps the driver correct if a server orders its keys differently.
import { decode } from '../../shared/protocol/codec.js';

export function isPong(b: Uint8Array): boolean {
  if (b.length > 7 && b[1] === 0xa1 && b[2] === 0x74) {
    return b[3] === 0xa4 && b[4] === 0x70 && b[5] === 0x6f && b[6] === 0x6e && b[7] === 0x67;
  }
  try {
    return (decode(b) as { t?: unknown }).t === 'pong';
  } catch {
    return false;
  }
}
