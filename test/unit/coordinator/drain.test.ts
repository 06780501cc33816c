// Drain lives in one place: the coordinator's directory (kv namespace `drained`, tagged with the
// server run). A drained slot gets no new rooms; the flag outlives the worker's reconnect
// (worker.hello) and a restart of the coordinator, and ends with the server run that set it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Config } from '../../../server/config/schema.js';
import { loadConfig } from '../../../server/config/load.js';
import { Directory } from '../../../server/coordinator/directory/directory.js';
import { createOps } from '../../../server/coordinator/ops/ops.js';
import type { CoordinatorHandlers } from '../../../server/coordinator/ops/context.js';
import { FileStore } from '../../../server/coordinator/store/file-store.js';
import { createLogger } from '../../../server/log/logger.js';
import type { CoordinatorChannel } from '../../../server/ipc/coordinator-ops.js';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-drain-'));
const config: Config = { ...loadConfig(['--data', data], {}).config };
const stores: FileStore[] = [];
const runBefore = process.env.SHOAL_STARTED_AT;

afterEach(() => {
  process.env.SHOAL_STARTED_AT = runBefore;
});

/** A coordinator as it starts: the store opened, the directory loaded, the ops made. */
async function coordinator(run: string): Promise<{ dir: Directory; ops: CoordinatorHandlers }> {
  for (const s of stores.splice(0)) await s.close();
  process.env.SHOAL_STARTED_AT = run;
  const store = new FileStore(path.join(data, 'world'));
  stores.push(store);
  const dir = new Directory(await store.open(), store, config);
  const ops = createOps({ dir, config, workers: new Map(), channels: new Set(), log: createLogger('coordinator', 'silent'), store, reports: [] });
  return { dir, ops };
}

/** The admin ops read nothing off the channel they are called on. */
const anyChannel = {} as CoordinatorChannel;
const hello = (ops: CoordinatorHandlers, slot: number) => ops['worker.hello']({ slot, pid: 1000 + slot, rooms: [] }, { peer: {}, destroy() {} } as unknown as CoordinatorChannel);
let roomNo = 0;
/** The slots n new rooms are placed on. */
const slotsOfNewRooms = (dir: Directory, n: number) => new Set(Array.from({ length: n }, () => dir.route({ room: `new-${++roomNo}` }).slot));

it('a drained slot gets no new rooms, through a worker reconnect and a coordinator restart; a new server run forgets it', async () => {
  let { dir, ops } = await coordinator('run-1');
  await hello(ops, 0);
  await hello(ops, 1);
  expect(slotsOfNewRooms(dir, 8)).toEqual(new Set([0, 1]));

  expect(ops['admin.drain']({ slot: 1, draining: true }, anyChannel)).toMatchObject({ worker: 1, draining: true });
  expect(slotsOfNewRooms(dir, 8)).toEqual(new Set([0]));
  expect(() => ops['admin.drain']({ slot: 0, draining: true }, anyChannel)).toThrow(expect.objectContaining({ code: 'LAST_WORKER' }));

  // Worker 1 restarts: its hello does not undo the drain.
  await hello(ops, 1);
  expect(dir.placement.isDrained(1)).toBe(true);
  expect(slotsOfNewRooms(dir, 8)).toEqual(new Set([0]));
  expect((await ops['admin.stats']({}, anyChannel)).drained).toEqual([1]);

  // The coordinator restarts (same server run): the drain is still there.
  ({ dir, ops } = await coordinator('run-1'));
  await hello(ops, 0);
  await hello(ops, 1);
  expect(dir.placement.drainedSlots()).toEqual([1]);
  expect(slotsOfNewRooms(dir, 8)).toEqual(new Set([0]));

  // Undrain: slot 1 takes new rooms again (all of them for now: it has the fewest).
  await ops['admin.drain']({ slot: 1, draining: false }, anyChannel);
  expect(dir.placement.isDrained(1)).toBe(false);
  expect(slotsOfNewRooms(dir, 8).has(1)).toBe(true);

  // A drain ends with the server run that set it.
  await ops['admin.drain']({ slot: 0, draining: true }, anyChannel);
  ({ dir, ops } = await coordinator('run-2'));
  expect(dir.placement.drainedSlots()).toEqual([]);
  for (const s of stores.splice(0)) await s.close();
});
