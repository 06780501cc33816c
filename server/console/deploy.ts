// `deploy`: puts the build now on disk (after `npm run build`) into every worker, one at a time,
// with no player dropped. First a pre-flight, before any worker is touched: a process of the new
// build (host.startDeployProbe) loads its games and reads every room's last snapshot the way a
// replacement worker will — migrated when older, refused when newer, when the game's migrate
// throws, or when the new build does not run the room's game. Any refusal stops the deploy with
// MIGRATION_REFUSED, a reason per room, and the old code left running everywhere. Then each worker
// in turn is replaced as `restart` does (restart.ts: bye "restart", seats kept, its rooms restored
// by the replacement from their snapshots, its players resumed), its rooms checked again just
// before (rooms made since the pre-flight), and the next one only once its players are back or
// deployResumeTimeoutMs has passed. A replacement that does not start stops the deploy
// (DEPLOY_STOPPED): the workers not reached keep the old code.
import type { ConsoleContext } from './context.js';
import type { DeployProbe } from './host.js';
import type { DryRunRow, ProbeGame } from '../ipc/primary-probe.js';
import { restartOne } from './restart.js';
import { CodedError } from '../../shared/errors/coded-error.js';

/** One worker replaced: the console's row. */
export interface DeployRow {
  worker: number;
  oldPid: number | null;
  newPid: number | null;
  /** Its rooms when it was replaced, and how many of them the replacement runs. */
  rooms: number;
  restored: number;
  /** Of its rooms, those whose snapshot the new build migrates from an older version. */
  migrated: number;
  players: number;
  resumed: number;
  missing: string[];
  ms: number;
}

export interface DeployReport {
  deployed: true;
  ms: number;
  /** The new build's games and their snapshot versions. */
  games: ProbeGame[];
  /** The pre-flight's count of rooms by how the new build reads them. */
  checked: { rooms: number; same: number; migrated: number; fresh: number };
  workers: DeployRow[];
}

/** Rooms named in a refusal's message; the rest are counted. */
const NAMED_MAX = 10;

export async function deploy(ctx: ConsoleContext): Promise<DeployReport> {
  const { state, host } = ctx;
  if (state.deployBusy) throw new CodedError('DEPLOY_IN_PROGRESS', 'a deploy is already running; wait for it to finish');
  if (state.restartBusy) throw new CodedError('RESTART_IN_PROGRESS', 'a restart is running; deploy when it has finished');
  if (host.stopping()) throw new CodedError('SHUTTING_DOWN', 'the server is shutting down');
  const slots = host.workerSlots();
  const notRunning = slots.filter((s) => s.state !== 'running' || s.pid === null);
  if (notRunning.length) {
    throw new CodedError('WORKER_NOT_RUNNING', `a deploy needs every worker running; ${notRunning.map((s) => `worker ${s.slot} is ${s.state}`).join(', ')}`);
  }
  state.deployBusy = true;
  const t0 = Date.now();
  let probe: DeployProbe | undefined;
  try {
    const { deployCheckTimeoutMs: checkMs, deployResumeTimeoutMs: resumeMs } = host.config;
    host.log.info({ workers: slots.length }, 'deploy: pre-flight with the new build');
    probe = await host.startDeployProbe(checkMs);
    const rows = await checkRooms(ctx, probe, undefined);
    const refused = rows.filter((r) => r.result === 'refused');
    if (refused.length) {
      const err = refusal(refused, rows.length);
      host.log.error({ code: err.code, refused: refused.map((r) => ({ room: r.room, reason: r.reason })) }, 'deploy refused; no worker replaced');
      throw err;
    }
    const count = (k: DryRunRow['result']) => rows.filter((r) => r.result === k).length;
    const checked = { rooms: rows.length, same: count('same'), migrated: count('migrated'), fresh: count('fresh') };
    host.log.info({ games: probe.games, ...checked }, 'deploy: every room reads with the new build; replacing workers one at a time');

    const done: DeployRow[] = [];
    const order = slots.map((s) => s.slot);
    for (const slot of order) {
      // Rooms made since the pre-flight are read too, just before their worker goes.
      const mine = await checkRooms(ctx, probe, slot).catch((err: CodedError) => {
        throw stopped(done, order, slot, false, `worker ${slot}'s rooms could not be checked (${err.code}: ${err.message})`);
      });
      const bad = mine.filter((r) => r.result === 'refused');
      if (bad.length) throw stopped(done, order, slot, false, `the new build cannot read worker ${slot}'s rooms: ${reasons(bad)}`);
      const r = await restartOne(ctx, slot, resumeMs).catch((err: CodedError) => {
        throw stopped(done, order, slot, true, `worker ${slot}'s replacement failed (${err.code}: ${err.message})`);
      });
      const running = await ctx.rpc.request(slot, 'rooms', {}).then((list) => new Set(list.map((x) => x.id)), () => new Set<string>());
      const row: DeployRow = {
        worker: slot, oldPid: r.oldPid, newPid: r.newPid,
        rooms: mine.length, restored: mine.filter((m) => running.has(m.room)).length, migrated: mine.filter((m) => m.result === 'migrated').length,
        players: r.players, resumed: r.back, missing: r.missing, ms: r.ms,
      };
      host.log.info(row, 'deploy: worker replaced with the new build');
      done.push(row);
    }
    const report: DeployReport = { deployed: true, ms: Date.now() - t0, games: probe.games, checked, workers: done };
    host.log.info({ ms: report.ms, workers: done.length }, 'deploy: done; every worker runs the new build');
    return report;
  } finally {
    probe?.close();
    state.deployBusy = false;
  }
}

/** How the new build reads the rooms' last snapshots (of one worker's rooms, when `slot`). */
async function checkRooms(ctx: ConsoleContext, probe: DeployProbe, slot: number | undefined): Promise<DryRunRow[]> {
  const { host } = ctx;
  const rooms = await host.request('admin.snapshots', slot === undefined ? {} : { slot }, host.config.deployCheckTimeoutMs);
  return rooms.length ? probe.check(rooms, host.config.deployCheckTimeoutMs) : [];
}

function reasons(refused: DryRunRow[]): string {
  const named = refused.slice(0, NAMED_MAX).map((r) => `room ${r.room} on worker ${r.slot} (${r.game} v${r.from ?? '-'} -> ${r.to === null ? 'not in the new build' : `v${r.to}`}): ${r.reason}`);
  const more = refused.length > NAMED_MAX ? `; and ${refused.length - NAMED_MAX} more` : '';
  return named.join('; ') + more;
}

function refusal(refused: DryRunRow[], total: number): CodedError {
  return new CodedError(
    'MIGRATION_REFUSED',
    `the new build cannot read ${refused.length} of ${total} rooms' snapshots; no worker was replaced and the old code runs on: ${reasons(refused)}`,
  );
}

/** `touched`: the failing worker's process was already asked to stop (it runs no old code now). */
function stopped(done: DeployRow[], order: number[], failed: number, touched: boolean, why: string): CodedError {
  const replaced = done.map((d) => d.worker);
  const untouched = order.filter((s) => !replaced.includes(s) && (s !== failed || !touched));
  const say = (ws: number[], one: string, many: string) => (ws.length === 1 ? `worker ${ws[0]} ${one}` : `workers ${ws.join(', ')} ${many}`);
  return new CodedError(
    'DEPLOY_STOPPED',
    `deploy stopped: ${why}. ${replaced.length ? say(replaced, 'runs the new build', 'run the new build') : 'No worker was replaced'}` +
      `${untouched.length ? `; ${say(untouched, 'keeps the old code', 'keep the old code')}` : ''}.`,
  );
}
