// A client whose socket is held by another worker: its messages arrive through the primary, and
// ours go back the same way. Used only when a connection lands on a worker that does not run its
// room (a WebSocket with no routing query, or a race with a room being placed).
import { Conn } from './conn.js';
import type { WorkerToPrimary } from '../../ipc/primary-worker.js';

export class RelayConn extends Conn {
  readonly transport = 'relay' as const;

  constructor(readonly rid: string, readonly fromSlot: number, address: string, private readonly post: (m: WorkerToPrimary) => void) {
    super(address);
  }

  sendFramed(framed: Buffer): void {
    if (!this.closed) this.post({ t: 'relay.out', to: this.fromSlot, rid: this.rid, data: framed });
  }

  protected end(): void {
    this.post({ t: 'relay.close', to: this.fromSlot, rid: this.rid });
    this.closedNow();
  }

  /** The worker holding the real socket watches it for idleness. */
  override checkIdle(): void {}

  destroy(): void {
    this.end();
  }

  /** The holding worker says the client is gone. */
  remoteClosed(): void {
    this.closedNow();
  }
}
