// Replaces worker processes one at a time without losing a player. The worker is asked to shut
// down with reason `restart`: its players get bye "restart" with their seats kept, and the
// client library resumes at once with its token. The supervisor starts a replacement in the
// same slot, which restores the slot's rooms from the coordinator's snapshots. Meanwhile the
// acceptor holds connections routed to the slot (see `holdRoute`) until the replacement runs,
// so resumes reach it directly: no relay through a dying worker, no room moved elsewhere.
// The next worker is restarted only when this one runs and its players are back.
import type { Worker } from 'node:cluster';
import { sendToChild } from '../primary/supervision/child-send.js';
import type { ConsoleContext } from './context.js';
import type { WorkerRoom } from './commands/info.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export interface RestartReport {
  worker: number;
  oldPid: number | null;
  newPid: number | null;
  players: number;
  back: number;
  missing: string[];
  ms: number;
}

const READY_TIMEOUT_MS = 30_000;
const PLAYERS_BACK_TIMEOUT_MS = 10_000;

export async function restartWorkers(ctx: ConsoleContext, slots: number[]): Promise<RestartReport[]> {
  if (ctx.state.restartBusy) throw new CodedError('RESTART_IN_PROGRESS', 'a restart is already running; wait for it to finish');
  ctx.state.restartBusy = true;
  try {
    const out: RestartReport[] = [];
    for (const slot of slots) out.push(await restartOne(ctx, slot));
    return out;
  } finally {
    ctx.state.restartBusy = false;
  }
}

async function restartOne(ctx: ConsoleContext, slot: number): Promise<RestartReport> {
  const { supervisor, config, log } = ctx.handle;
  const s = supervisor.slots[slot]!;
  if (supervisor.stopping) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
  if (!s.worker || s.state !== 'running') {
    throw new CodedError('WORKER_NOT_RUNNING', `worker ${slot} is ${s.state}; only a running worker is restarted`);
  }
  const t0 = Date.now();
  const before = await connectedOn(ctx, slot);
  const old: Worker = s.worker;
  const oldPid = old.process.pid ?? null;
  log.info({ slot, pid: oldPid, players: before.size }, 'console: restarting worker');
  ctx.state.restarting.add(slot);
  let open!: () => void;
  ctx.state.gates.set(slot, new Promise<void>((r) => (open = r)));
  try {
    // A planned exit is not a crash: no backoff for it.
    s.quickFailures = 0;
    s.backoffMs = 0;
    // Not `running` any more: the acceptor hands new connections to the other workers meanwhile.
    s.state = 'restarting';
    const exited = new Promise<void>((r) => old.once('exit', () => r()));
    sendToChild(old, { t: 'shutdown', reason: 'restart' });
    if (!(await within(exited, config.shutdownTimeoutMs))) {
      log.warn({ slot, pid: oldPid, code: 'RESTART_FORCED' }, 'worker did not stop in time; killing it');
      old.process.kill('SIGKILL');
      await exited;
    }
    const up = await poll(() => supervisor.stopping || (s.worker !== null && s.worker !== old && s.state === 'running'), READY_TIMEOUT_MS, 20);
    if (supervisor.stopping) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
    if (!up) throw new CodedError('RESTART_TIMEOUT', `worker ${slot}'s replacement is not running after ${READY_TIMEOUT_MS / 1000} s (state ${s.state})`);
  } finally {
    ctx.state.restarting.delete(slot);
    ctx.state.gates.delete(slot);
    open();
  }
  let missing = [...before];
  await poll(async () => {
    const now = await connectedAnywhere(ctx);
    missing = [...before].filter((id) => !now.has(id));
    return missing.length === 0;
  }, PLAYERS_BACK_TIMEOUT_MS);
  const report = {
    worker: slot, oldPid, newPid: s.worker?.process.pid ?? null, players: before.size, back: before.size - missing.length, missing, ms: Date.now() - t0,
  };
  log.info(report, 'console: worker restarted');
  return report;
}

async function connectedOn(ctx: ConsoleContext, slot: number): Promise<Set<string>> {
  const rooms = await ctx.rpc.request(slot, 'rooms', { members: true });
  return new Set(rooms.flatMap((r) => (r.members ?? []).filter((m) => m.state === 'connected').map((m) => m.id)));
}

async function connectedAnywhere(ctx: ConsoleContext): Promise<Set<string>> {
  const all = await ctx.rpc.values('rooms', { members: true }, 2000);
  return new Set(all.flatMap((w) => w.data.flatMap((r) => (r.members ?? []).filter((m) => m.state === 'connected').map((m) => m.id))));
}

function within(p: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function poll(fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * For the acceptor's routing: a connection routed to a slot being restarted waits for the
 * replacement (bounded, so that a hello sent with the connection is still in time), then goes
 * to it. If the replacement is late, the acceptor places the connection as it would anyway.
 */
export async function holdRoute<R extends { slot: number } | null>(ctx: ConsoleContext | null, route: Promise<R>): Promise<R> {
  const r = await route;
  const gate = r && ctx?.state.gates.get(r.slot);
  if (!gate) return r;
  const boundMs = Math.max(0, ctx!.handle.config.helloTimeoutMs - 1000);
  await Promise.race([gate, new Promise((res) => setTimeout(res, boundMs))]);
  return r;
}
