// MessagePack codec for the client protocol: plain maps with string keys, no extension types,
// so any MessagePack library on the other end can read it.
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
});

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Encodes one message as a MessagePack map. Browser-safe (no TCP framing here). */
export function encode(msg: unknown): Uint8Array {
  return packr.pack(msg);
}

/**
 * Decodes exactly one MessagePack value. Throws on malformed bytes, trailing bytes, or nesting
 * too deep for the stack: callers turn that into BAD_MESSAGE.
 */
export function decode(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
