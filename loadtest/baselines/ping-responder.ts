// What the bare baseline servers do with a message: the least a server speaking Shoal's protocol
// must do to answer it. `hello` gets a fixed `welcome`, `ping` gets a `pong`; everything else is
// dropped. Decoding and encoding use the same codec as Shoal, so the baselines pay for MessagePack
// too and the ratio measures what Shoal adds on top: validation, rooms, rate limits, processes.
import { decode, encode } from '../../shared/protocol/codec.js';

const WELCOME = encode({
  t: 'welcome', id: 'p1', token: 'bare-token', room: 'bare', hz: 20, tick: 0, resumed: false,
  world: { w: 1000, h: 1000 },
});

/** The encoded reply to one encoded message, or null for none. */
export function respond(body: Uint8Array): Uint8Array | null {
  let m: { t?: unknown; id?: unknown };
  try {
    m = decode(body) as { t?: unknown; id?: unknown };
  } catch {
    return null;
  }
  if (m === null || typeof m !== 'object') return null;
  if (m.t === 'ping') return encode({ t: 'pong', id: m.id, tick: 0 });
  if (m.t === 'hello') return WELCOME;
  return null;
}
