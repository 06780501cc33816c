// WorkerRelay in-process: two workers' relays wired through a stand-in primary (it forwards each
// message to the slot in `to`, as the real one does). A quick-join routed to a room that is placed
// on another worker is relayed there with the seat routing promised it (the hint): the room's
// worker then takes that seat, rather than matchmaking the client afresh while the promise holds a
// seat of the same room for nobody (the next quick-join would be put in a new room).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { encode } from '../../../../shared/protocol/codec.js';
import type { HelloMsg } from '../../../../shared/protocol/messages.js';
import type { WorkerToPrimary } from '../../../../server/ipc/primary-worker.js';
import type { Intake } from '../../../../server/worker/net/intake.js';
import { WorkerRelay } from '../../../../server/worker/net/relay.js';
import type { SessionOwner } from '../../../../server/worker/net/session-owner.js';
import { ClientSession, type JoinOutcome } from '../../../../server/worker/session/client-session.js';
import { FakeConn, testConfig } from '../fakes.js';

class StandInWorker implements SessionOwner {
  readonly config = testConfig();
  readonly auth = null;
  readonly shuttingDown = false;
  readonly sessions = new Set<ClientSession>();
  readonly log = pino({ level: 'silent' });
  readonly joins: Array<{ name: string; room?: string; hint?: string; transport: string }> = [];
  relay: SessionOwner['relay'] = () => false;

  /** `redirectTo`: the worker the coordinator says runs the room (this one relays there). */
  constructor(private readonly redirectTo?: number) {}

  join(session: ClientSession, hello: HelloMsg, room: string | undefined, hint?: string): Promise<JoinOutcome> {
    this.joins.push({ name: hello.name, room, hint, transport: session.conn.transport });
    if (this.redirectTo !== undefined && session.conn.transport !== 'relay' && this.relay(session, this.redirectTo, hello, hint)) {
      return Promise.resolve('relayed');
    }
    return Promise.resolve({ code: 'UNAVAILABLE', message: 'stand-in: seats no one' });
  }

  globalChat(): void {}
  top(): Promise<Array<[string, number]>> {
    return Promise.resolve([]);
  }
  sessionClosed(): void {}
  validatorFor(): undefined {
    return undefined;
  }
}

const settle = () => new Promise((r) => setImmediate(r));

describe('WorkerRelay', () => {
  it("carries the seat routing promised to the worker running the room, which joins with it", async () => {
    expect(process.connected).toBe(true); // the relay sends only while the worker can reach the primary
    const holder = new StandInWorker(1);
    const runner = new StandInWorker();
    const intake = { track: () => {} } as unknown as Intake;
    const relays: WorkerRelay[] = [];
    const primary = (m: WorkerToPrimary) => {
      if ('to' in m && typeof m.to === 'number') relays[m.to]!.handle(m);
    };
    relays.push(new WorkerRelay(holder, 0, intake, primary), new WorkerRelay(runner, 1, intake, primary));

    const session = new ClientSession(holder, new FakeConn(), 'four-1f460');
    session.receive(Buffer.from(encode({ t: 'hello', v: 1, name: 'qh', game: 'four' })));
    await settle();
    await settle();

    expect(holder.joins).toEqual([{ name: 'qh', room: undefined, hint: 'four-1f460', transport: 'tcp' }]);
    expect(runner.joins).toEqual([{ name: 'qh', room: undefined, hint: 'four-1f460', transport: 'relay' }]);
  });
});
