// What a room needs of the connection behind a seat: a way to send to the player, to say bye,
// and who it is for the operator's views. Declared here, beside its user, so rooms depend on no
// transport: worker/net implements it (net -> session -> rooms, see worker/main.ts).
import type { ByeReason } from '../../../shared/protocol/messages.js';
import type { GameServerMessage } from '../../game-api/index.js';
import type { Outbound } from './outbound.js';

/** How the player reaches this worker. */
export type TransportKind = 'tcp' | 'ws' | 'relay';

export interface SeatConn {
  readonly transport: TransportKind;
  readonly address: string;
  /** Encodes and sends one message (nothing once the connection is closing). */
  send(msg: GameServerMessage): void;
  /** Writes a broadcast in this transport's form (a WebSocket frame built once for every WS seat). */
  sendOut(out: Outbound): void;
  /** Says why, then closes. */
  bye(reason: ByeReason): void;
}
