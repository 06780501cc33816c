// `npm run loadtest -- --quick` end to end: every scenario runs against servers it starts itself,
// writes its JSON, Markdown and SVG report, and leaves no process behind. The figures themselves
// are not checked here (the machine is shared with other tests); that they exist and are shaped
// right is.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killMarked, markedPids } from './proc-guard.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const MARKER = `SHOAL_LOADTEST_TEST=${process.pid}-${Date.now()}`;
const SCENARIOS = ['http', 'ping', 'channel', 'conns', 'players', 'scaling', 'failover'];
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-loadtest-out-'));

afterAll(() => {
  killMarked(MARKER);
  fs.rmSync(out, { recursive: true, force: true });
});

describe('loadtest --quick', () => {
  it('runs every scenario, writes its reports and stops every process', { timeout: 240_000 }, async () => {
    expect(fs.existsSync(path.join(REPO, 'dist/loadtest/main.js')), 'run npm run build first').toBe(true);
    const busyAtStart = os.loadavg()[0]! > os.availableParallelism();
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['dist/loadtest/main.js', '--quick', '--out', out], {
        cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, SHOAL_LOADTEST_TEST: MARKER.split('=')[1] },
      });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => c.kill('SIGINT'), 230_000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain('machine: ');
    // The 3-minute budget is for a machine that is not also running other work; under the test
    // suite's own parallel files it is only reported (the hard cap is the test's timeout).
    if (busyAtStart) console.warn(`loadtest --quick took ${seconds.toFixed(0)} s on a busy machine`);
    else expect(seconds).toBeLessThan(180);

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
