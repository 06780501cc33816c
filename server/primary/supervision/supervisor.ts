// Keeps the worker pool and the coordinator running. A process that exits unexpectedly is
// restarted by the one rule in backoff.ts (at once the first time, with capped exponential
// back-off when it keeps dying young); a crash loop is reported with a code, not hidden. A process
// that hangs, that does not become ready in time, or that can no longer be sent to is killed, and
// so restarted the same way. A planned replacement (`restart`) is the supervisor's too: it is not
// a crash, so it never backs off.
import cluster, { type Worker } from 'node:cluster';
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { EXIT_STORE_DAMAGED } from '../../coordinator/store/cannot-load.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { CrashBackoff, YOUNG_MS, exitedYoung } from './backoff.js';
import { sendToChild, watchChild } from './child-send.js';
import { isMessage, type AlivePing, type PrimaryToWorker, type WorkerToPrimary } from '../../ipc/primary-worker.js';
import type { CannotLoadMessage, CoordinatorToPrimary } from '../../ipc/primary-coordinator.js';

// 'restarting' covers both a slot waiting to fork again and a worker being replaced (`restart`,
// or taken for dead) whose process has not exited yet. Draining is the coordinator's placement
// (a slot taking no new rooms), not a process state.
export type SlotState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface Slot {
  slot: number;
  worker: Worker | null;
  state: SlotState;
  restarts: number;
  startedAt: number;
  /** Quick failures in a row and the delay before the next start: the supervisor's alone. */
  readonly backoff: CrashBackoff;
  /** The current process is being replaced on purpose (restart): its exit is not a crash. */
  planned: boolean;
  lastExit?: { code: number | null; signal: string | null; at: number };
  /** A code while something is wrong with this slot (e.g. WORKER_CRASH_LOOP), for the console. */
  problem?: string;
  /** Last message from the worker (any message answers the liveness ping). */
  lastPong: number;
  /** Whether the current process has sent anything yet: only then can its silence be a hang. */
  answered: boolean;
  /** When a start still not ready is given up (killed). */
  startDeadline: number;
  /** The current process is being killed (hung, start timeout, unreachable): judge it no more. */
  killing: boolean;
}

export interface SupervisorOptions {
  workers: number;
  workerEnv: (slot: number) => Record<string, string>;
  coordinatorScript: string;
  /** Its arguments (the role, for a script that runs every role). */
  coordinatorArgs?: readonly string[];
  coordinatorEnv: Record<string, string>;
  log: Logger;
  /** A running process that does not answer a liveness ping this long is hung: killed and replaced. */
  hangTimeoutMs: number;
  /** A process not ready this long after its fork is killed and restarted (with back-off). */
  startTimeoutMs: number;
  onWorkerMessage: (slot: Slot, msg: WorkerToPrimary) => void;
  onWorkerExit: (slot: Slot) => void;
  onCoordinatorReady: () => void;
  /** The coordinator exited because its data is damaged: restarting cannot help. */
  onCoordinatorCannotLoad: (message: string, code: 'STORE_DAMAGED' | 'STORE_UNREACHABLE') => void;
  /** The coordinator's store started or stopped taking writes. */
  onStoreHealth?: (ok: boolean, reason?: string) => void;
}

const PING: AlivePing = { t: 'alive?' };

export class Supervisor {
  readonly slots: Slot[] = [];
  coordinator: ChildProcess | null = null;
  coordinatorRestarts = 0;
  /** COORDINATOR_CRASH_LOOP while the coordinator keeps dying at start, for the console. */
  coordinatorProblem: string | undefined;
  private readonly coordBackoff = new CrashBackoff();
  private coordStartedAt = 0;
  stopping = false;
  /** Slot -> settles once the worker replacing its current one runs (or the replacement gave up). */
  private readonly replacing = new Map<number, Promise<void>>();

  constructor(private readonly o: SupervisorOptions) {
    for (let i = 0; i < o.workers; i++) {
      this.slots.push({
        slot: i, worker: null, state: 'stopped', restarts: 0, startedAt: 0, backoff: new CrashBackoff(), planned: false,
        lastPong: 0, answered: false, startDeadline: Infinity, killing: false,
      });
    }
  }

  startCoordinator(): void {
    this.watchLiveness();
    this.coordStartedAt = Date.now();
    this.coordLastPong = Date.now();
    let cannotLoad: CannotLoadMessage | undefined;
    this.coordAnswered = false;
    this.coordReady = false;
    this.coordKilling = false;
    this.coordStartDeadline = Date.now() + this.o.startTimeoutMs;
    const child = fork(this.o.coordinatorScript, [...(this.o.coordinatorArgs ?? [])], { env: { ...process.env, ...this.o.coordinatorEnv }, stdio: 'inherit', serialization: 'advanced' });
    this.coordinator = child;
    watchChild(child, (err) => this.coordinatorLost(child, err));
    this.o.log.info({ coordinatorPid: child.pid }, 'coordinator starting');
    child.on('message', (m: Partial<CoordinatorToPrimary> | null) => {
      if (this.coordinator !== child) return;
      this.coordLastPong = Date.now();
      this.coordAnswered = true;
      if (m?.t === 'alive') return;
      if (m?.t === 'coordinator.cannotLoad') cannotLoad = m as CannotLoadMessage;
      if (m?.t === 'coordinator.store') this.o.onStoreHealth?.(m.ok === true, m.reason);
      if (m?.t === 'coordinator.ready') {
        this.coordReady = true;
        this.coordinatorProblem = undefined;
        // Running for a while ends a crash loop.
        setTimeout(() => {
          if (this.coordinator === child) this.coordBackoff.reset();
        }, YOUNG_MS).unref();
        this.o.onCoordinatorReady();
      }
    });
    child.on('exit', (code, signal) => {
      if (this.coordinator === child) this.coordinator = null;
      if (this.stopping) return;
      if (code === EXIT_STORE_DAMAGED) {
        const code = cannotLoad?.code ?? 'STORE_DAMAGED';
        this.coordinatorProblem = code;
        return this.o.onCoordinatorCannotLoad(cannotLoad?.message ?? 'coordinator cannot load its data directory', code);
      }
      // A start that never became ready failed young, however long it was given.
      const { delayMs, loop } = this.coordBackoff.exited(exitedYoung(this.coordReady, this.coordStartedAt));
      this.coordinatorRestarts++;
      this.coordinatorProblem = loop ? 'COORDINATOR_CRASH_LOOP' : undefined;
      this.o.log[loop ? 'error' : 'warn'](
        { code: loop ? 'COORDINATOR_CRASH_LOOP' : 'COORDINATOR_EXITED', exitCode: code, signal, restartInMs: delayMs },
        'coordinator exited; restarting',
      );
      setTimeout(() => !this.stopping && this.startCoordinator(), delayMs);
    });
  }

  startWorker(s: Slot): void {
    this.watchLiveness();
    s.state = 'starting';
    s.startedAt = Date.now();
    s.startDeadline = s.startedAt + this.o.startTimeoutMs;
    s.answered = false;
    s.killing = false;
    const w = cluster.fork(this.o.workerEnv(s.slot));
    s.worker = w;
    s.lastPong = Date.now();
    let ready = false;
    watchChild(w, (err) => this.workerLost(s, w, err));
    this.o.log.info({ slot: s.slot, workerPid: w.process.pid }, 'worker starting');
    w.on('message', (m: unknown) => {
      const current = s.worker === w;
      if (current) {
        // Any message shows the worker's event loop turning.
        s.lastPong = Date.now();
        s.answered = true;
      }
      if (!isMessage<WorkerToPrimary>(m) || m.t === 'alive') return;
      if (m.t === 'ready' && current && s.state === 'starting') {
        ready = true;
        s.state = 'running';
        // Running for a while ends a crash loop.
        setTimeout(() => {
          if (s.worker === w) {
            s.backoff.reset();
            s.problem = undefined;
          }
        }, YOUNG_MS).unref();
      }
      this.o.onWorkerMessage(s, m);
    });
    w.on('exit', (code, signal) => {
      if (s.worker !== w) return;
      s.worker = null;
      s.lastExit = { code, signal, at: Date.now() };
      this.o.onWorkerExit(s);
      if (this.stopping || s.state === 'stopped') {
        s.state = 'stopped';
        return;
      }
      // A planned replacement is not a crash: no back-off for it. A start that never became ready
      // failed young, however long it was given.
      const planned = s.planned;
      s.planned = false;
      if (planned) s.backoff.reset();
      const { delayMs, loop } = planned ? { delayMs: 0, loop: false } : s.backoff.exited(exitedYoung(ready, s.startedAt));
      s.restarts++;
      s.state = 'restarting';
      s.problem = loop ? 'WORKER_CRASH_LOOP' : undefined;
      this.o.log[loop ? 'error' : 'warn'](
        { code: loop ? 'WORKER_CRASH_LOOP' : 'WORKER_EXITED', slot: s.slot, exitCode: code, signal, restartInMs: delayMs, planned },
        'worker exited; restarting',
      );
      setTimeout(() => {
        if (!this.stopping && s.state === 'restarting') this.startWorker(s);
      }, delayMs);
    });
  }

  startAll(): void {
    for (const s of this.slots) this.startWorker(s);
  }

  /**
   * Replaces the running worker in a slot on purpose: it is asked to shut down with reason
   * `restart` (its players keep their seats and resume), and killed if it is not gone within
   * exitTimeoutMs; the slot starts again at once, with no back-off. Resolves once the replacement
   * runs. Meanwhile the slot is not `running`, so new connections go to the other workers, and
   * replacement(slot) lets a connection routed to it wait for the new process instead.
   * Throws WORKER_NOT_RUNNING, SHUTTING_DOWN, RESTART_TIMEOUT.
   */
  async restart(slot: number, o: { exitTimeoutMs: number; readyTimeoutMs: number }): Promise<{ oldPid: number | null; newPid: number | null }> {
    const s = this.slots[slot];
    if (!s) throw new CodedError('BAD_ARGS', `no worker slot ${slot}`);
    if (this.stopping) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
    if (this.replacing.has(slot)) throw new CodedError('RESTART_IN_PROGRESS', `worker ${slot} is being replaced already`);
    if (!s.worker || s.state !== 'running') throw new CodedError('WORKER_NOT_RUNNING', `worker ${slot} is ${s.state}; only a running worker is restarted`);
    const old = s.worker;
    const oldPid = old.process.pid ?? null;
    let open!: () => void;
    this.replacing.set(slot, new Promise<void>((r) => (open = r)));
    try {
      s.planned = true;
      s.state = 'restarting';
      const exited = new Promise<void>((r) => old.once('exit', () => r()));
      sendToChild(old, { t: 'shutdown', reason: 'restart' });
      if (!(await within(exited, o.exitTimeoutMs))) {
        this.o.log.warn({ slot, pid: oldPid, code: 'RESTART_FORCED' }, 'worker did not stop in time; killing it');
        old.process.kill('SIGKILL');
        await exited;
      }
      const up = await poll(() => this.stopping || (s.worker !== null && s.worker !== old && s.state === 'running'), o.readyTimeoutMs, 20);
      if (this.stopping) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
      if (!up) throw new CodedError('RESTART_TIMEOUT', `worker ${slot}'s replacement is not running after ${o.readyTimeoutMs / 1000} s (state ${s.state})`);
      return { oldPid, newPid: s.worker?.process.pid ?? null };
    } finally {
      this.replacing.delete(slot);
      open();
    }
  }

  /** While the slot's worker is being replaced: settles once its replacement runs (or it gave up). */
  replacement(slot: number): Promise<void> | undefined {
    return this.replacing.get(slot);
  }

  /** Sends to the worker in a slot, if it has one; a failure is handled as the worker's death. */
  sendToWorker(s: Slot, msg: PrimaryToWorker, done?: (err: Error | null) => void): boolean {
    const w = s.worker;
    if (!w) return false;
    sendToChild(w, msg, undefined, done);
    return true;
  }

  /**
   * A send to the worker failed or its IPC channel broke: it died (or is dying) without the
   * primary having seen its exit yet. It is taken out of service at once and killed, and its
   * exit restarts it like any other death.
   */
  private workerLost(s: Slot, w: Worker, err: Error): void {
    if (w.process.exitCode !== null || w.process.signalCode !== null) return;
    if (s.worker === w) {
      if (s.killing) return;
      s.killing = true;
      if (s.state === 'running' || s.state === 'starting') s.state = 'restarting';
    }
    this.o.log.warn({ code: 'WORKER_UNREACHABLE', slot: s.slot, workerPid: w.process.pid, err: err.message }, 'cannot send to worker; taking it for dead');
    w.process.kill('SIGKILL');
  }

  private coordinatorLost(c: ChildProcess, err: Error): void {
    if (c.exitCode !== null || c.signalCode !== null) return;
    if (this.coordinator === c) {
      if (this.coordKilling) return;
      this.coordKilling = true;
    }
    this.o.log.warn({ code: 'COORDINATOR_UNREACHABLE', coordinatorPid: c.pid, err: err.message }, 'cannot send to the coordinator; taking it for dead');
    c.kill('SIGKILL');
  }

  /**
   * A process can hang (a busy loop in game code) rather than die, or never finish starting.
   * Every process answers a ping from its event loop; one that answered before and then stays
   * silent past hangTimeoutMs is killed, and so is one not ready startTimeoutMs after its fork.
   * Silence is counted only while the primary itself runs: after the primary was paused (SIGSTOP,
   * a frozen VM), the answers queued meanwhile have not been read yet, and the children are not
   * to blame for the time it did not watch.
   */
  private watchLiveness(): void {
    if (this.watching) return;
    this.watching = true;
    const every = this.pingEveryMs();
    let last = Date.now();
    setInterval(() => {
      const now = Date.now();
      const unwatched = now - last - every;
      last = now;
      if (unwatched > 0) this.excuse(unwatched);
      if (this.stopping) return;
      for (const s of this.slots) this.checkWorker(s, now);
      this.checkCoordinator(now);
    }, every).unref();
  }

  /** Moves every clock by the time the primary did not run. */
  private excuse(ms: number): void {
    for (const s of this.slots) {
      s.lastPong += ms;
      s.startDeadline += ms;
    }
    this.coordLastPong += ms;
    this.coordStartDeadline += ms;
  }

  private checkWorker(s: Slot, now: number): void {
    const w = s.worker;
    if (!w || s.killing) return;
    const pid = w.process.pid;
    if (s.state === 'starting' && now > s.startDeadline) {
      this.o.log.error({ code: 'WORKER_START_TIMEOUT', slot: s.slot, workerPid: pid, startTimeoutMs: this.o.startTimeoutMs }, 'worker not ready in time; killing it');
      s.killing = true;
      w.process.kill('SIGKILL');
      return;
    }
    if (s.answered && now - s.lastPong > this.o.hangTimeoutMs) {
      this.o.log.error({ code: 'WORKER_HUNG', slot: s.slot, pid, silentMs: now - s.lastPong }, 'worker does not answer; killing it');
      s.killing = true;
      w.process.kill('SIGKILL');
      return;
    }
    sendToChild(w, PING);
  }

  private checkCoordinator(now: number): void {
    const c = this.coordinator;
    if (!c || this.coordKilling) return;
    if (!this.coordReady && now > this.coordStartDeadline) {
      this.o.log.error({ code: 'COORDINATOR_START_TIMEOUT', coordinatorPid: c.pid, startTimeoutMs: this.o.startTimeoutMs }, 'coordinator not ready in time; killing it');
      this.coordKilling = true;
      c.kill('SIGKILL');
      return;
    }
    if (this.coordAnswered && now - this.coordLastPong > this.o.hangTimeoutMs) {
      this.o.log.error({ code: 'COORDINATOR_HUNG', pid: c.pid, silentMs: now - this.coordLastPong }, 'coordinator does not answer; killing it');
      this.coordKilling = true;
      c.kill('SIGKILL');
      return;
    }
    sendToChild(c, PING);
  }

  private watching = false;
  private coordLastPong = 0;
  private coordAnswered = false;
  private coordReady = false;
  private coordKilling = false;
  private coordStartDeadline = Infinity;

  running(): Slot[] {
    return this.slots.filter((s) => s.worker && s.state === 'running');
  }

  private pingEveryMs(): number {
    return Math.max(250, Math.min(2000, Math.min(this.o.hangTimeoutMs, this.o.startTimeoutMs) / 4));
  }

  /**
   * Running workers that answered a liveness ping lately (a stopped or busy one is still
   * `running` until hangTimeoutMs passes; it can take no request meanwhile).
   */
  responsive(now = Date.now()): Slot[] {
    const stale = Math.max(1500, this.pingEveryMs() * 3);
    return this.running().filter((s) => now - s.lastPong <= stale);
  }

  /** The coordinator answered a liveness ping lately, by the same measure as responsive(). */
  coordinatorAnswering(now = Date.now()): boolean {
    return this.coordinator !== null && now - this.coordLastPong <= Math.max(1500, this.pingEveryMs() * 3);
  }

  /** Stops every worker gracefully, then the coordinator; bounded by timeoutMs. */
  async stopAll(reason: string, timeoutMs: number): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + timeoutMs;
    const exits = this.slots
      .filter((s) => s.worker)
      .map((s) => {
        const w = s.worker!;
        return new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          sendToChild(w, { t: 'shutdown', reason });
        });
      });
    // Timers cleared once everything exits, so a server stopped from code leaves none behind.
    await within(Promise.all(exits).then(() => {}), Math.max(0, deadline - Date.now() - 1000));
    for (const s of this.slots) if (s.worker) s.worker.process.kill('SIGKILL');
    const c = this.coordinator;
    if (c) {
      await within(
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          sendToChild(c, { t: 'coordinator.stop' });
        }),
        Math.max(500, deadline - Date.now()),
      );
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function within(p: Promise<void>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (t = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(t));
}

async function poll(fn: () => boolean, timeoutMs: number, everyMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (fn()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
