// Shoal's wire for the lean client: a hello, then a welcome (the only message decoded, for the
// room's hz); states and pongs told apart by their first bytes (wire-peek.ts); inputs and pings
// from the byte templates of input-template.ts. TCP (length-framed) or WebSocket at /ws.
import { encode, decode } from '../../shared/protocol/codec.js';
import { LeanSocket, type LeanTransport } from './lean-socket.js';
import type { LeanProtocol, Seat, SeatEvents } from './protocol.js';
import { PEEK_ERROR, PEEK_PONG, PEEK_STATE, PEEK_WELCOME, peek } from './wire-peek.js';
import { inputTemplate, pingTemplate, writeInput, writePing } from './input-template.js';

/**
 * Shoal's wire with hellos that name rooms (`<prefix>-<n>`, `perRoom` players each) instead of
 * quick-joining: a bench that wants each host's players in that host's own rooms (quick-join would
 * send them to another host's free seats with a REDIRECT, which the lean client does not follow).
 */
export function shoalInRooms(prefix: string, perRoom: number): LeanProtocol {
  return { ...shoalProtocol, seat: (host, port, index, transport, ev) => seat(host, port, index, transport, ev, `${prefix}-${Math.floor(index / perRoom)}`) };
}

export const shoalProtocol: LeanProtocol = {
  name: 'shoal',
  transports: ['tcp', 'ws'],
  inputTemplate,
  writeInput,
  pingTemplate,
  writePing,
  seat: (host, port, index, transport, ev) => seat(host, port, index, transport, ev),
};

function seat(host: string, port: number, index: number, transport: LeanTransport, ev: SeatEvents, room?: string): Promise<Seat> {
    return new Promise<Seat>((resolve, reject) => {
      let seated = false;
      let sock: LeanSocket | null = null;
      LeanSocket.open(transport, host, port, {
        onMessage(buf, start, len) {
          const k = peek(buf, start, len);
          if (k === PEEK_STATE) ev.state();
          else if (k === PEEK_PONG) ev.pong(null);
          else if (k === PEEK_WELCOME && !seated) {
            seated = true;
            resolve({ sock: sock!, hz: (decode(buf.subarray(start, start + len)) as { hz: number }).hz });
          } else if (k === PEEK_ERROR) {
            const code = (decode(buf.subarray(start, start + len)) as { code: string }).code;
            if (seated) ev.error(code);
            else reject(new Error(code));
          }
        },
        onClose() {
          if (seated) ev.closed();
          else reject(new Error('closed before welcome'));
        },
        // A WebSocket names its room in the query, as Shoal's clients do, so the primary routes it
        // straight to the room's worker (no relay).
      }, room === undefined ? '/ws' : `/ws?room=${encodeURIComponent(room)}`).then((s) => {
        sock = s;
        s.send(Buffer.from(encode(room === undefined ? { t: 'hello', v: 1, name: `lean${index}` } : { t: 'hello', v: 1, name: `lean${index}`, room })));
      }, (err: Error) => reject(new Error(`connect: ${err.message.slice(0, 40)}`)));
    });
}
