// What the lean client needs to know about a server's wire, so one driver (run.ts) can load Shoal
// or a peer the same way: how a player is seated, how its messages are told apart, and the byte
// templates its inputs and pings are written into. Everything else (timing, counting, CPU) is
// the driver's, identical for every server.
import type { LeanSocket, LeanTransport } from './lean-socket.js';

/** What a seated player's connection reports; called on the hot path, so nothing is decoded for it. */
export interface SeatEvents {
  /** A room state (full or delta/patch) arrived. */
  state(): void;
  /** A pong arrived; its ping id when the protocol reads it, null when it is only recognised. */
  pong(id: number | null): void;
  /** The server reported an error (a short code). */
  error(code: string): void;
  /** The connection closed. */
  closed(): void;
}

export interface Seat {
  sock: LeanSocket;
  /** States a second the room sends. */
  hz: number;
}

export interface LeanProtocol {
  readonly name: string;
  /** The transports this server speaks to game clients. */
  readonly transports: readonly LeanTransport[];
  /** Connects player `index` and seats it in a room; rejects with a short reason when it cannot. */
  seat(host: string, port: number, index: number, transport: LeanTransport, ev: SeatEvents): Promise<Seat>;
  inputTemplate(): Buffer;
  writeInput(b: Buffer, seq: number, dx: number, dy: number): void;
  pingTemplate(): Buffer;
  writePing(b: Buffer, id: number): void;
}
