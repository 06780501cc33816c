// Replaces worker processes one at a time without losing a player. The host's supervisor asks the
// worker to shut down with reason `restart`: its players get bye "restart" with their seats kept,
// and the client library resumes at once with its token. The supervisor starts a replacement in
// the same slot, which restores the slot's rooms from the coordinator's snapshots; meanwhile the
// acceptor holds connections routed to the slot until the replacement runs, so resumes reach it
// directly. Here: one restart at a time, and the next worker is restarted only when this one runs
// and its players are back.
import type { ConsoleContext } from './context.js';
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

const PLAYERS_BACK_TIMEOUT_MS = 10_000;

export async function restartWorkers(ctx: ConsoleContext, slots: number[]): Promise<RestartReport[]> {
  if (ctx.state.deployBusy) throw new CodedError('DEPLOY_IN_PROGRESS', 'a deploy is running; it replaces every worker itself');
  if (ctx.state.restartBusy) throw new CodedError('RESTART_IN_PROGRESS', 'a restart is already running; wait for it to finish');
  ctx.state.restartBusy = true;
  try {
    const out: RestartReport[] = [];
    for (const slot of slots) out.push(await restartOne(ctx, slot, PLAYERS_BACK_TIMEOUT_MS));
    return out;
  } finally {
    ctx.state.restartBusy = false;
  }
}

/**
 * Replaces one running worker and waits up to backTimeoutMs for the players it had to be connected
 * again (anywhere); the report names the missing. Also `deploy`'s step.
 */
export async function restartOne(ctx: ConsoleContext, slot: number, backTimeoutMs: number): Promise<RestartReport> {
  const { host } = ctx;
  if (host.stopping()) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
  const s = host.workerSlots()[slot];
  if (!s || s.state !== 'running' || s.pid === null) {
    throw new CodedError('WORKER_NOT_RUNNING', `worker ${slot} is ${s?.state ?? 'unknown'}; only a running worker is restarted`);
  }
  const t0 = Date.now();
  const before = await connectedOn(ctx, slot);
  host.log.info({ slot, pid: s.pid, players: before.size }, 'console: restarting worker');
  // The supervisor owns the replacement (no back-off for a planned exit; connections routed to
  // the slot wait for the new process meanwhile).
  const { oldPid, newPid } = await host.restartWorker(slot);
  let missing = [...before];
  await poll(async () => {
    const now = await connectedAnywhere(ctx);
    missing = [...before].filter((id) => !now.has(id));
    return missing.length === 0;
  }, backTimeoutMs);
  const report = { worker: slot, oldPid, newPid, players: before.size, back: before.size - missing.length, missing, ms: Date.now() - t0 };
  host.log.info(report, 'console: worker restarted');
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

async function poll(fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
