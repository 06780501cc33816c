// `npm run loadtest -- --quick` end to end: every scenario runs against servers it starts itself,
// writes its JSON, Markdown and SVG report, and leaves no process behind, within its time budget.
// The figures themselves are not checked here (the machine is shared with other tests); that they
// exist and are shaped right is.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killMarked, markedPids } from './proc-guard.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const MARKER = `SHOAL_LOADTEST_TEST=${process.pid}-${Date.now()}`;
const SCENARIOS = ['http', 'ping', 'channel', 'conns', 'players', 'scaling', 'failover'];
const BUDGET_S = 180;
// On a loaded machine the run stretches far past its budget; it is stopped only at this cap.
const WALL_CAP_S = 560;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-loadtest-out-'));

/** CPU-seconds the whole machine has spent busy (user, system, irq, steal...) since boot. */
function machineBusySeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on Linux
}

afterAll(() => {
  killMarked(MARKER);
  fs.rmSync(out, { recursive: true, force: true });
});

describe('loadtest --quick', () => {
  it('runs every scenario within its budget, writes its reports and stops every process', { timeout: (WALL_CAP_S + 30) * 1000 }, async () => {
    expect(fs.existsSync(path.join(REPO, 'dist/loadtest/main.js')), 'run npm run build first').toBe(true);
    const t0 = Date.now();
    const busy0 = machineBusySeconds();
    // bash's `times` prints the CPU its children used once they are reaped: the loadtest, and through
    // it every server, baseline, driver and simulator it started and waited for.
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const c = spawn('bash', ['-c', `"${process.execPath}" dist/loadtest/main.js --quick --out "${out}" >/dev/null; rc=$?; times; exit $rc`], {
        cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
        env: { ...process.env, SHOAL_LOADTEST_TEST: MARKER.split('=')[1] },
      });
      let stderr = '';
      let stdout = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.stdout.on('data', (d) => (stdout += d));
      const timer = setTimeout(() => process.kill(-c.pid!, 'SIGINT'), WALL_CAP_S * 1000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, stdout });
      });
    });
    const seconds = (Date.now() - t0) / 1000;
    const busy = machineBusySeconds() - busy0;
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain('machine: ');
    const children = r.stdout.trim().split('\n').at(-1)!.match(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/);
    expect(children, `bash times printed ${JSON.stringify(r.stdout)}`).not.toBeNull();
    const cpu = Number(children![1]) * 60 + Number(children![2]) + Number(children![3]) * 60 + Number(children![4]);
    const cores = os.availableParallelism();
    // CPU that other work on the machine used meanwhile (other test files, other sessions).
    const foreign = Math.max(0, busy - cpu);
    console.log(`[figure] loadtest --quick: ${seconds.toFixed(0)} s wall, ${cpu.toFixed(0)} CPU-s of its own over ${cores} cores, ${foreign.toFixed(0)} CPU-s of other work meanwhile`);
    // The budget is 3 minutes on a quiet machine. Other work can delay the run by at most the CPU
    // time it takes (only while it runs is a core not ours), so a correct run always has
    //   wall - foreign CPU <= quiet wall <= 3 min,
    // however loaded the machine; on a quiet one (CI) the check is the wall time itself, and a run
    // twice as slow as it should be fails. Under heavy load it is lenient, never wrong. Also, the
    // CPU the run itself needs must fit in the cores' 3 minutes: other work lowers that, never raises it.
    expect(seconds - foreign, 'wall seconds less the CPU-seconds of other work').toBeLessThan(BUDGET_S);
    expect(cpu / cores, 'CPU-seconds of the run per core').toBeLessThan(BUDGET_S);
    expect(cpu).toBeGreaterThan(1); // the CPU of the run was counted

    const files = fs.readdirSync(out);
    for (const s of SCENARIOS) {
      const json = files.find((f) => f.endsWith(`-${s}-quick.json`));
      expect(json, `${s} wrote no JSON (files: ${files.join(', ')})`).toBeDefined();
      const result = JSON.parse(fs.readFileSync(path.join(out, json!), 'utf8'));
      expect(result.scenario).toBe(s);
      expect(result.quick).toBe(true);
      expect(result.machine.cores).toBeGreaterThan(0);
      expect(result.machine.node).toBe(process.version);
      expect(result.ratios.length).toBeGreaterThan(0);
      expect(result.rows.length).toBeGreaterThan(0);
      for (const q of result.ratios) expect(typeof q.figure).toBe('string');
      const md = fs.readFileSync(path.join(out, json!.replace(/\.json$/, '.md')), 'utf8');
      expect(md).toContain(`# loadtest: ${s}`);
      if (result.chart) {
        const svg = fs.readFileSync(path.join(out, json!.replace(/\.json$/, '.svg')), 'utf8');
        expect(svg.startsWith('<svg')).toBe(true);
      }
    }
    // Servers, baselines, drivers and simulators: all stopped.
    await new Promise((res) => setTimeout(res, 500));
    expect(markedPids(MARKER)).toEqual([]);
  });
});
