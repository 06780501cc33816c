// --small-young-gen: the roles whose V8 young generation stays at its initial size (server/heap-settings.ts).
// The setting is checked at start (one line, exit code 2 on a role that is not one), and in a real
// node process it keeps the young generation from growing where, unset, the same allocation grows it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config/load.js';

const HEAP_SETTINGS = path.resolve(fileURLToPath(new URL('../../../dist/server/heap-settings.js', import.meta.url)));

const refusal = (...args: string[]) => {
  try {
    loadConfig(args, {});
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

/** New-space size (MiB) of a fresh node process for `role` under `setting`, after objects survived many minor collections. */
function youngAfterSurvivors(role: string, setting: string): number {
  const script = `
    import v8 from 'node:v8';
    import { applyHeapSettings } from ${JSON.stringify(HEAP_SETTINGS)};
    applyHeapSettings(${JSON.stringify(role)}, ${JSON.stringify(setting)});
    const keep = [];
    for (let r = 0; r < 60; r++) {
      for (let i = 0; i < 20000; i++) { const o = { a: i, b: [i], c: 'x' + i }; if (i % 4 === 0) keep.push(o); }
      if (keep.length > 150000) keep.length = 0;
    }
    const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(ns.space_size / 1048576);`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

describe('--small-young-gen', () => {
  it('is primary,coordinator by default, takes any list of roles or none, and refuses anything else in one line', () => {
    expect(loadConfig([], {}).config.smallYoungGen).toBe('primary,coordinator');
    expect(loadConfig(['--small-young-gen', 'worker, primary'], {}).config.smallYoungGen).toBe('worker, primary');
    expect(loadConfig([], { SHOAL_SMALL_YOUNG_GEN: 'worker' }).config.smallYoungGen).toBe('worker');
    expect(refusal('--small-young-gen', 'none')).toBe('accepted');
    expect(refusal('--small-young-gen', 'primary,workers')).toBe('smallYoungGen: "workers" is not a role (primary, coordinator, worker, or none)');
  });

  it('keeps a named role at its initial young generation where an unnamed one grows', () => {
    const grown = youngAfterSurvivors('worker', 'primary,coordinator');
    const kept = youngAfterSurvivors('coordinator', 'primary,coordinator');
    expect(grown).toBeGreaterThan(4);
    expect(kept).toBeLessThanOrEqual(2);
  });
});
