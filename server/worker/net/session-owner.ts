// What the intake and the relay need of their worker (runtime.ts implements it): the sessions to
// open and sweep, a log for what they cut, and the relay hook. Declared here so net depends on
// session and rooms, never back on the runtime that wires them (see worker/main.ts).
import type { Logger } from 'pino';
import type { HelloMsg } from '../../../shared/protocol/messages.js';
import type { ClientSession, SessionRuntime } from '../session/client-session.js';

export interface SessionOwner extends SessionRuntime {
  /** Every open session of this worker (swept for idleness, told bye at shutdown). */
  readonly sessions: Set<ClientSession>;
  readonly log: Logger;
  /** Relays a hello (and the seat routing promised it, `hint`) to the worker in `slot`; the relay (relay.ts) sets it. */
  relay: (session: ClientSession, slot: number, hello: HelloMsg, hint?: string) => boolean;
}
