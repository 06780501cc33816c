// The shipped Prometheus files are valid for Prometheus itself: promtool checks the rules and the
// scrape config, and runs the rules' unit tests (two alerts firing, the tick p99 recording rule).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RULES_DIR, toolSkipReason } from './debian-tool.js';

const PROMTOOL = '/usr/bin/promtool';
const skip = toolSkipReason(PROMTOOL, 'test/ops/prometheus-rules.test.ts');
const run = promisify(execFile);

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(PROMTOOL, args, { cwd: RULES_DIR });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe.skipIf(skip !== null)('ops/prometheus', () => {
  it('shoal-rules.yml passes promtool check rules', async () => {
    const r = await promtool('check', 'rules', 'shoal-rules.yml');
    expect(r.out).toContain('SUCCESS: 17 rules found');
    expect(r.code).toBe(0);
  });

  it('prometheus.yml passes promtool check config (with the rules it loads)', async () => {
    const r = await promtool('check', 'config', 'prometheus.yml');
    expect(r.out).toMatch(/SUCCESS: prometheus\.yml is valid/);
    expect(r.code).toBe(0);
  });

  it('the rules pass their unit tests (ShoalNoWorkers, ShoalCrashLoop, tick p99)', async () => {
    const r = await promtool('test', 'rules', 'shoal-rules.test.yml');
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
