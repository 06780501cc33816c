// Two of startPrimary's steps, in-process: the worker message router (server/primary/start/
// worker-messages.ts) and the one shutdown (start/shutdown.ts). The supervisor stands in as the
// two members the router uses (forking real workers is what the whole-cluster tests do).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { workerMessageRouter } from '../../../server/primary/start/worker-messages.js';
import { Shutdown } from '../../../server/primary/start/shutdown.js';
import type { Slot, Supervisor } from '../../../server/primary/supervision/supervisor.js';
import type { PrimaryToWorker, WorkerToPrimary } from '../../../server/ipc/primary-worker.js';
import type { Config } from '../../../server/config/schema.js';

const log = pino({ level: 'silent' });

function setup(workers: number, deadSlots: number[] = []) {
  const slots = Array.from({ length: workers }, (_, slot) => ({ slot, restarts: 0 }) as unknown as Slot);
  const sent: Array<{ to: number; m: PrimaryToWorker }> = [];
  const supervisor = {
    slots,
    sendToWorker(s: Slot, m: PrimaryToWorker, done?: (err: Error | null) => void): boolean {
      if (deadSlots.includes(s.slot)) {
        // The send itself finds the worker dead.
        done?.(new Error('EPIPE'));
        return true;
      }
      sent.push({ to: s.slot, m });
      return true;
    },
  } as unknown as Supervisor;
  const released: Array<[number, number[]]> = [];
  const ready: number[] = [];
  const handled: WorkerToPrimary[] = [];
  const route = workerMessageRouter({
    log,
    supervisor,
    acceptor: () => ({ released: (s, ids) => released.push([s, ids]) }),
    readiness: () => ({ check: () => Promise.resolve({ ok: true, reasons: [] } as never) }),
    metrics: () => ({ collect: () => Promise.resolve('text'), received: () => {} }),
    ready: (s) => ready.push(s),
    readinessSnapshot: () => [],
    handlers: [(_s, m) => (m.t === 'admin.hello' ? (handled.push(m), true) : false)],
  });
  return { slots, sent, released, ready, handled, route };
}

describe('worker message router', () => {
  it('forwards a relay message to the slot it names, unchanged', () => {
    const t = setup(3);
    const m: WorkerToPrimary = { t: 'relay.in', to: 2, rid: '0.1', data: new Uint8Array([1, 2]) };
    t.route(t.slots[0]!, m);
    expect(t.sent).toEqual([{ to: 2, m }]);
  });

  it('closes the sender\'s end when the relay target does not exist or is found dead', () => {
    const t = setup(2, [1]);
    t.route(t.slots[0]!, { t: 'relay.open', to: 5, from: 0, rid: '0.7', hello: { t: 'hello', v: 1, name: 'a' } as never, address: '127.0.0.1' });
    t.route(t.slots[0]!, { t: 'relay.in', to: 1, rid: '0.8', data: new Uint8Array() });
    expect(t.sent).toEqual([
      { to: 0, m: { t: 'relay.close', rid: '0.7' } },
      { to: 0, m: { t: 'relay.close', rid: '0.8' } },
    ]);
  });

  it('does not answer a relay.close whose target is gone (no close ping-pong)', () => {
    const t = setup(1);
    t.route(t.slots[0]!, { t: 'relay.close', to: 4, rid: '0.9' });
    expect(t.sent).toEqual([]);
  });

  it('books hand-offs and readiness, and gives other modules what it does not handle', async () => {
    const t = setup(2);
    t.route(t.slots[1]!, { t: 'ready', pid: 42 });
    // Sent only by a worker under a primary of an older build: taken here, nothing done with it.
    t.route(t.slots[1]!, { t: 'conn.ack' });
    t.route(t.slots[0]!, { t: 'conn.closed', ids: [3, 4] });
    t.route(t.slots[0]!, { t: 'admin.hello', pid: 7 });
    t.route(t.slots[0]!, { t: 'metrics.collect', id: 9 });
    await new Promise((r) => setImmediate(r));
    expect(t.ready).toEqual([1]);
    expect(t.released).toEqual([[0, [3, 4]]]);
    expect(t.handled).toEqual([{ t: 'admin.hello', pid: 7 }]);
    expect(t.sent).toEqual([{ to: 0, m: { t: 'metrics.result', id: 9, text: 'text' } }]);
  });
});

describe('Shutdown', () => {
  function make() {
    const steps: string[] = [];
    let stopAll = 0;
    const stop = new Shutdown({
      config: { shutdownTimeoutMs: 1000 } as Config,
      log,
      acceptor: () => ({ close: () => steps.push('acceptor') }),
      link: { stop: () => steps.push('link') },
      supervisor: {
        stopAll: () => {
          stopAll++;
          steps.push('children');
          return Promise.resolve();
        },
      },
    });
    return { stop, steps, stopAll: () => stopAll };
  }

  it('stops once, in order: no new connections, the link, then the children', async () => {
    const { stop, steps, stopAll } = make();
    expect(stop.started).toBe(false);
    const a = stop.run('test');
    const b = stop.run('again');
    expect(b).toBe(a);
    await a;
    expect(steps).toEqual(['acceptor', 'link', 'children']);
    expect(stopAll()).toBe(1);
    expect(stop.started).toBe(true);
  });

  it('wakes a start step waiting on begun(), before or after the shutdown began', async () => {
    const { stop } = make();
    let woke = 0;
    const waiting = stop.begun().then(() => woke++);
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(0);
    await stop.run('test');
    await waiting;
    await stop.begun().then(() => woke++);
    expect(woke).toBe(2);
    expect(stop.done).not.toBeNull();
  });
});
