// `deploy`'s sequencing (server/console/deploy.ts) against a host that records what it is asked:
// the pre-flight runs before any worker is touched and a refusal replaces none; workers are
// replaced one at a time in slot order, each one's rooms checked again just before it goes; a
// failed replacement or an unreadable new room stops the deploy, naming which workers run the new
// build and which keep the old code; one deploy at a time, and no `restart` during one. The real
// processes are in test/console/deploy.test.ts.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../../server/console/deploy.js';
import { restartWorkers } from '../../../server/console/restart.js';
import { newState, type ConsoleContext } from '../../../server/console/context.js';
import type { ConsoleHost, DeployProbe } from '../../../server/console/host.js';
import type { WorkerRpc } from '../../../server/console/worker-rpc.js';
import type { RoomSnapshotRow } from '../../../server/ipc/coordinator-ops.js';
import type { DryRunRow } from '../../../server/ipc/primary-probe.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { testConfig } from '../worker/fakes.js';

interface Setup {
  workers: number;
  rooms: RoomSnapshotRow[];
  /** The new build's verdict on a room. */
  verdict?: (r: RoomSnapshotRow) => Pick<DryRunRow, 'result' | 'reason'>;
  failRestart?: number;
  /** Runs when slot's worker is being replaced (e.g. a room appears). */
  during?: (slot: number) => void;
}

function fixture(o: Setup) {
  const events: string[] = [];
  let pid = 100;
  const pids = Array.from({ length: o.workers }, () => pid++);
  let replacing = 0;
  let maxReplacing = 0;
  let probeClosed = false;
  const probe: DeployProbe = {
    pid: 1,
    games: [{ name: 'hits', version: 2 }],
    check: (rooms) => {
      events.push(`check ${rooms.map((r) => r.id).join(',')}`);
      return Promise.resolve(rooms.map((r) => ({
        room: r.id, slot: r.slot, game: r.game ?? 'arena', from: 1, to: 2, result: 'migrated', ...o.verdict?.(r),
      })));
    },
    close: () => void (probeClosed = true),
  };
  const host = {
    config: testConfig({ deployCheckTimeoutMs: 1000, deployResumeTimeoutMs: 0 }),
    log: pino({ level: 'silent' }),
    stopping: () => false,
    workerSlots: () => pids.map((p, slot) => ({ slot, pid: p, state: 'running' as const, restarts: 0 })),
    startDeployProbe: () => {
      events.push('probe');
      return Promise.resolve(probe);
    },
    request: (op: string, args: { slot?: number }) => {
      if (op !== 'admin.snapshots') return Promise.reject(new Error(`unexpected ${op}`));
      return Promise.resolve(o.rooms.filter((r) => args.slot === undefined || r.slot === args.slot));
    },
    restartWorker: async (slot: number) => {
      events.push(`restart ${slot}`);
      maxReplacing = Math.max(maxReplacing, ++replacing);
      o.during?.(slot);
      await new Promise((r) => setTimeout(r, 5));
      replacing--;
      if (slot === o.failRestart) throw new CodedError('RESTART_TIMEOUT', `worker ${slot}'s replacement is not running after 1 s`);
      const old = pids[slot]!;
      pids[slot] = pid++;
      return { oldPid: old, newPid: pids[slot] };
    },
  } as unknown as ConsoleHost;
  const rpc = {
    request: (slot: number, op: string) =>
      Promise.resolve(op === 'rooms' ? o.rooms.filter((r) => r.slot === slot).map((r) => ({ id: r.id, members: [] })) : []),
    values: () => Promise.resolve([]),
  } as unknown as WorkerRpc;
  const ctx = { host, rpc, state: newState(), version: 'test', audit: pino({ level: 'silent' }) } as unknown as ConsoleContext;
  return { ctx, events, maxReplacing: () => maxReplacing, probeClosed: () => probeClosed };
}

const room = (id: string, slot: number): RoomSnapshotRow => ({ id, slot, game: 'hits', snapshot: { game: 'hits', v: 1, tick: 0, state: {} } });

describe('deploy: the pre-flight and the worker-by-worker sequence', () => {
  it('replaces the workers one at a time in slot order, each one\'s rooms checked again just before it goes', async () => {
    const f = fixture({ workers: 3, rooms: [room('a', 0), room('b', 1), room('c', 2), room('d', 0)] });
    const report = await deploy(f.ctx);
    expect(f.events).toEqual(['probe', 'check a,b,c,d', 'check a,d', 'restart 0', 'check b', 'restart 1', 'check c', 'restart 2']);
    expect(f.maxReplacing()).toBe(1);
    expect(report.checked).toEqual({ rooms: 4, same: 0, migrated: 4, fresh: 0 });
    expect(report.workers.map((w) => [w.worker, w.rooms, w.restored, w.migrated])).toEqual([[0, 2, 2, 2], [1, 1, 1, 1], [2, 1, 1, 1]]);
    expect(f.probeClosed()).toBe(true);
    expect(f.ctx.state.deployBusy).toBe(false);
  });

  it('refuses at the pre-flight, naming each room and its reason, and replaces no worker', async () => {
    const f = fixture({
      workers: 2,
      rooms: [room('a', 0), room('b', 1), room('c', 1)],
      verdict: (r) => (r.id === 'a' ? { result: 'migrated' } : { result: 'refused', reason: `no way for ${r.id}` }),
    });
    const err = await deploy(f.ctx).catch((e: CodedError) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe('MIGRATION_REFUSED');
    expect((err as CodedError).message).toBe(
      "the new build cannot read 2 of 3 rooms' snapshots; no worker was replaced and the old code runs on: " +
        'room b on worker 1 (hits v1 -> v2): no way for b; room c on worker 1 (hits v1 -> v2): no way for c',
    );
    expect(f.events.filter((e) => e.startsWith('restart'))).toEqual([]);
    expect(f.probeClosed()).toBe(true);
    expect(f.ctx.state.deployBusy).toBe(false);
  });

  it('stops when a replacement fails: the workers before run the new build, the ones after keep the old code', async () => {
    const f = fixture({ workers: 3, rooms: [room('a', 0)], failRestart: 1 });
    const err = (await deploy(f.ctx).catch((e: CodedError) => e)) as CodedError;
    expect(err.code).toBe('DEPLOY_STOPPED');
    expect(err.message).toBe(
      "deploy stopped: worker 1's replacement failed (RESTART_TIMEOUT: worker 1's replacement is not running after 1 s). worker 0 runs the new build; worker 2 keeps the old code.",
    );
    expect(f.events.filter((e) => e.startsWith('restart'))).toEqual(['restart 0', 'restart 1']);
  });

  it('stops before a worker whose rooms made since the pre-flight the new build cannot read', async () => {
    const rooms = [room('a', 0)];
    const f = fixture({
      workers: 2,
      rooms,
      verdict: (r) => (r.id === 'late' ? { result: 'refused', reason: 'too new' } : { result: 'same' }),
      during: (slot) => slot === 0 && rooms.push(room('late', 1)),
    });
    const err = (await deploy(f.ctx).catch((e: CodedError) => e)) as CodedError;
    expect(err.code).toBe('DEPLOY_STOPPED');
    expect(err.message).toContain("the new build cannot read worker 1's rooms: room late on worker 1 (hits v1 -> v2): too new");
    expect(err.message).toContain('worker 0 runs the new build; worker 1 keeps the old code');
    expect(f.events.filter((e) => e.startsWith('restart'))).toEqual(['restart 0']);
  });

  it('runs one deploy at a time, and no restart meanwhile', async () => {
    const f = fixture({ workers: 2, rooms: [] });
    const first = deploy(f.ctx);
    await expect(deploy(f.ctx)).rejects.toMatchObject({ code: 'DEPLOY_IN_PROGRESS' });
    await expect(restartWorkers(f.ctx, [0])).rejects.toMatchObject({ code: 'DEPLOY_IN_PROGRESS' });
    await first;
    f.ctx.state.restartBusy = true;
    await expect(deploy(f.ctx)).rejects.toMatchObject({ code: 'RESTART_IN_PROGRESS' });
  });
});
