// What the primary does with each message a worker sends it (typed by ipc/primary-worker.ts):
// readiness, the acceptor's hand-off books, /health and /metrics asked of a worker, relays between
// workers, and whatever other modules (the console) registered for.
import type { Logger } from 'pino';
import type { ReadinessPush, WorkerToPrimary } from '../../ipc/primary-worker.js';
import type { Readiness } from '../../http/health.js';
import type { Slot, Supervisor } from '../supervision/supervisor.js';
import type { MetricsJson } from '../../ipc/coordinator-ops.js';

export type WorkerMessageHandler = (slot: number, m: WorkerToPrimary) => boolean;

export interface WorkerMessageDeps {
  log: Logger;
  supervisor: Supervisor;
  acceptor: () => { released(slot: number, ids: number[]): void };
  readiness: () => { check(address: string): Promise<Readiness> };
  metrics: () => { collect(): Promise<string>; received(id: number, data: MetricsJson): void };
  /** A worker in this slot is ready (start-up waits for every slot's). */
  ready: (slot: number) => void;
  /** The readiness state a worker starts from (then each change is pushed to it). */
  readinessSnapshot: () => ReadinessPush[];
  /** Other modules' handlers, asked in order for messages not handled here. */
  handlers: WorkerMessageHandler[];
}

export function workerMessageRouter(d: WorkerMessageDeps): (s: Slot, m: WorkerToPrimary) => void {
  const { supervisor } = d;
  return (s, m) => {
    switch (m.t) {
      case 'ready':
        for (const r of d.readinessSnapshot()) supervisor.sendToWorker(s, r);
        d.ready(s.slot);
        d.log.info({ slot: s.slot, workerPid: m.pid, restarts: s.restarts }, 'worker running');
        return;
      case 'conn.ack':
        // Sent only to a primary of an older build (see HANDOFF_ACKS_ENV): hand-offs are paced by Node's own.
        return;
      case 'conn.closed':
        d.acceptor().released(s.slot, m.ids);
        return;
      case 'health.get':
        void d.readiness().check(m.address).then((r) => supervisor.sendToWorker(s, { t: 'health.result', id: m.id, r }));
        return;
      case 'metrics.collect':
        d.metrics().collect().then(
          (text) => supervisor.sendToWorker(s, { t: 'metrics.result', id: m.id, text }),
          (err: Error) => supervisor.sendToWorker(s, { t: 'metrics.result', id: m.id, text: `# metrics failed: ${err.message}\n` }),
        );
        return;
      case 'metrics.json':
        d.metrics().received(m.id, m.data);
        return;
    }
    for (const h of d.handlers) if (h(s.slot, m)) return;
    if (m.t === 'relay.open' || m.t === 'relay.in' || m.t === 'relay.out' || m.t === 'relay.close') {
      // Relay between the worker holding a client's socket and the worker running its room.
      // Its target is gone (or found dead by this send): the sender closes its end (a relay.open
      // included, or its client would wait forever).
      const targetGone = () => {
        if (m.t !== 'relay.close') supervisor.sendToWorker(s, { t: 'relay.close', rid: m.rid });
      };
      const to = m.to === undefined ? undefined : supervisor.slots[m.to];
      if (!to || !supervisor.sendToWorker(to, m, (err) => err && targetGone())) targetGone();
    }
  };
}
