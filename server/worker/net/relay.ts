// Relays a client between the worker that holds its socket and the worker that runs its room,
// through the primary. Used only when a connection lands on a worker that does not run its room
// (a WebSocket with no routing query, or a race with a room being placed).
import { encode } from '../../../shared/protocol/codec.js';
import type { HelloMsg } from '../../../shared/protocol/messages.js';
import { relayedTotal } from '../../metrics/registry.js';
import { ClientSession } from '../session/client-session.js';
import { toBuffer, type Intake } from './intake.js';
import { RelayConn } from './relay-conn.js';
import type { SessionOwner } from './session-owner.js';
import type { RelayMsg, WorkerToPrimary } from '../../ipc/primary-worker.js';

export type { RelayMsg };

export class WorkerRelay {
  private seq = 0;
  /** Relays whose client socket this worker holds. */
  private readonly out = new Map<string, ClientSession>();
  /** Relays whose room this worker runs. */
  private readonly in = new Map<string, RelayConn>();

  constructor(
    private readonly rt: SessionOwner,
    private readonly slot: number,
    private readonly intake: Intake,
    private readonly send: (m: WorkerToPrimary) => void,
  ) {
    rt.relay = (session, toSlot, hello, hint) => this.open(session, toSlot, hello, hint);
  }

  private open(session: ClientSession, toSlot: number, hello: HelloMsg, hint: string | undefined): boolean {
    if (!process.connected) return false;
    const rid = `${this.slot}.${++this.seq}`;
    relayedTotal.inc();
    this.out.set(rid, session);
    session.relayTo = (body) => this.send({ t: 'relay.in', to: toSlot, rid, data: body });
    const prev = session.conn.onClose;
    session.conn.onClose = () => {
      this.out.delete(rid);
      this.send({ t: 'relay.close', to: toSlot, rid });
      prev();
    };
    this.send({ t: 'relay.open', to: toSlot, from: this.slot, rid, hello, address: session.conn.address, ...(hint !== undefined ? { hint } : {}) });
    return true;
  }

  handle(m: RelayMsg): void {
    switch (m.t) {
      case 'relay.open': {
        const conn = new RelayConn(m.rid, m.from, m.address ?? 'relay', this.send);
        this.in.set(m.rid, conn);
        // The seat routing promised goes along: without it the room's worker would matchmake the
        // client again and the promise would hold a seat of its room for nobody until it lapsed.
        const session = new ClientSession(this.rt, conn, m.hint);
        this.intake.track(conn, session);
        const prev = conn.onClose;
        conn.onClose = () => {
          this.in.delete(m.rid);
          prev();
        };
        session.receive(Buffer.from(encode(m.hello)));
        return;
      }
      case 'relay.in':
        this.in.get(m.rid)?.onMessage(toBuffer(m.data));
        return;
      case 'relay.out':
        this.out.get(m.rid)?.conn.sendFramed(toBuffer(m.data));
        return;
      case 'relay.close':
        this.in.get(m.rid)?.remoteClosed();
        this.out.get(m.rid)?.conn.close();
        return;
    }
  }
}
