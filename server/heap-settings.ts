// The one place that sets V8's heap behaviour, per process role (settings `smallYoungGen`).
// V8 grows a process's young generation from 1 MiB semi-spaces towards 16 MiB once enough objects
// have survived its minor collections, and does not give it back while the process is busy: on a
// fresh server, 10,000 joined players grew the coordinator's committed heap by 48 MB while what it
// held grew by 4.5 MB (loadtest/results/2026-12-02-memory-lane-ab.md). The coordinator and the
// primary are off the 20 Hz path, so by default theirs stops growing at the size it has when the
// role starts (1-4 MiB semi-spaces: status showed 2-8 MB of new space). Workers are left to
// grow: their state writes stay alive across a minor collection, and a small young generation
// promotes them into the old one (2026-12-02-semi-space-trial.md).
//
// It is set at run time (v8.setFlagsFromString, before the role allocates much), not with
// --max-semi-space-size on the command line, because the primary's command line is the user's
// (`node server.js`). V8 reads --semi-space-growth-factor each time it would grow the young
// generation; if a future V8 stopped doing so the flag would do nothing and the process would
// grow as before.
import v8 from 'node:v8';
import type { ProcessRole } from './process-role.js';

/** The roles `smallYoungGen` may name. */
export const HEAP_ROLES = ['primary', 'coordinator', 'worker'] as const;
export type HeapRole = (typeof HEAP_ROLES)[number];

/** The roles a `smallYoungGen` value names; throws on one that is not a role. */
export function parseSmallYoungGen(value: string): HeapRole[] {
  const out: HeapRole[] = [];
  if (value.trim() === 'none') return out;
  for (const raw of value.split(',')) {
    const r = raw.trim();
    if (r === '') continue;
    if (!(HEAP_ROLES as readonly string[]).includes(r)) throw new Error(`${JSON.stringify(r)} is not a role (${HEAP_ROLES.join(', ')}, or none)`);
    out.push(r as HeapRole);
  }
  return out;
}

/** Applies this process's heap settings; called first thing in each role. */
export function applyHeapSettings(role: ProcessRole, smallYoungGen: string): void {
  if (role === 'deploy-check') return;
  if (parseSmallYoungGen(smallYoungGen).includes(role)) v8.setFlagsFromString('--semi-space-growth-factor=1');
}
