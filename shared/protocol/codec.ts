// MessagePack codec for the client protocol: plain maps with string keys, no extension types,
// so any MessagePack library on the other end can read it. Decoding is strict (decoder.ts): what
// a peer sends cannot make the decoder do more work than its length allows.
import { Packr } from 'msgpackr';
import { DEFAULT_MAX_DEPTH, decodeStrict } from './decoder.js';

// skipValues is a msgpackr option its type declarations do not list yet.
const options: ConstructorParameters<typeof Packr>[0] & { skipValues: unknown[] } = {
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  // msgpackr writes undefined as an extension (fixext 1, type 0), which no plain MessagePack
  // reader (ours included) accepts: an undefined field is left out, an undefined element is nil.
  skipValues: [undefined],
  encodeUndefinedAsNil: true,
};
const packr = new Packr(options);

/** Encodes one message as a MessagePack map. Browser-safe (no TCP framing here). */
export function encode(msg: unknown): Uint8Array {
  return packr.pack(msg);
}

/**
 * Decodes exactly one plain MessagePack value. Throws a DecodeError on malformed bytes, extension
 * types, trailing bytes, lengths beyond the input, nesting deeper than maxDepth, or a 64-bit
 * integer that is not a safe JS integer: callers turn that into BAD_MESSAGE.
 */
export function decode(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  return decodeStrict(bytes, maxDepth);
}
