// The primary's view of its processes as Prometheus metrics: how many workers run, whether the
// coordinator is reachable, restarts and crash loops. Registered by the primary only, read from
// the supervisor at scrape time.
import { Counter, Gauge } from 'prom-client';
import { registry } from './registry.js';

export interface SupervisedView {
  slots: ReadonlyArray<{ slot: number; state: string; restarts: number; problem?: string }>;
  /** Workers running and answering the liveness ping (what /ready counts). */
  responsive(): number;
  coordinatorRestarts: number;
  coordinatorProblem: string | undefined;
  /** The primary holds a link to a coordinator that answers its liveness ping and is not crash looping. */
  coordinatorUp(): boolean;
}

export function registerSupervision(view: SupervisedView): void {
  registry.registerMetric(
    new Gauge({
      name: 'shoal_workers_running',
      help: 'Worker processes running and answering the primary\'s liveness ping (the workers /ready counts)',
      registers: [],
      collect() {
        this.set(view.responsive());
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_workers_configured', help: 'Worker slots the primary keeps (--workers)', registers: [],
      collect() {
        this.set(view.slots.length);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_coordinator_up', help: '1 while the primary is linked to a coordinator that answers its liveness ping and is not crash looping, else 0', registers: [],
      collect() {
        this.set(view.coordinatorUp() ? 1 : 0);
      },
    }),
  );
  registry.registerMetric(
    new Counter({
      name: 'shoal_process_restarts_total', help: 'Times the primary restarted a process after it exited or was killed, by process',
      labelNames: ['process'], registers: [],
      collect() {
        // The supervisor keeps the counts; a counter rebuilt from them is still monotonic.
        this.reset();
        for (const s of view.slots) this.inc({ process: `worker-${s.slot}` }, s.restarts);
        this.inc({ process: 'coordinator' }, view.coordinatorRestarts);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'shoal_process_crash_looping',
      help: '1 while a process keeps dying soon after each start (WORKER_CRASH_LOOP, COORDINATOR_CRASH_LOOP), by process',
      labelNames: ['process'], registers: [],
      collect() {
        for (const s of view.slots) this.set({ process: `worker-${s.slot}` }, s.problem === 'WORKER_CRASH_LOOP' ? 1 : 0);
        this.set({ process: 'coordinator' }, view.coordinatorProblem === 'COORDINATOR_CRASH_LOOP' ? 1 : 0);
      },
    }),
  );
}
