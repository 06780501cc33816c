// client-sim's children record into SimStats and send reports over IPC; the parent adds them up.
// This runs that across real processes and checks the merged figures are those of one histogram
// holding every sample, and that each report carries only what is new since the previous one.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../client-sim/histogram.js';
import { SimStats, type SimReport } from '../../client-sim/stats.js';

const STATS_JS = path.resolve(fileURLToPath(new URL('../../dist/client-sim/stats.js', import.meta.url)));
let dir: string;
let childScript: string;

beforeAll(() => {
  expect(fs.existsSync(STATS_JS), 'run npm run build first').toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-hist-'));
  childScript = path.join(dir, 'child.mjs');
  // Each child records rtt samples start, start+step, ... and sends two reports.
  fs.writeFileSync(childScript, `
    import { SimStats } from ${JSON.stringify(STATS_JS)};
    const [start, step, n] = process.argv.slice(2).map(Number);
    const s = new SimStats();
    for (let i = 0; i < n; i++) s.record('rtt', start + i * step);
    s.count('statesDelivered', n);
    s.error('ROOM_FULL');
    const first = s.takeReport(n);
    s.record('rtt', 1000);
    s.count('statesDelivered', 1);
    const second = s.takeReport(n);
    process.send({ first, second }, () => process.exit(0));
  `);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runChild(start: number, step: number, n: number): Promise<{ first: SimReport; second: SimReport }> {
  return new Promise((resolve, reject) => {
    const c = fork(childScript, [String(start), String(step), String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error('child timed out'));
    }, 20_000);
    c.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { first: SimReport; second: SimReport });
    });
    c.once('error', reject);
  });
}

describe('SimStats reports merged across processes', () => {
  it('gives the percentiles of all samples together, and counters and errors summed', async () => {
    const [a, b] = await Promise.all([runChild(0.5, 0.25, 2000), runChild(40, 1.5, 1000)]);
    const parent = new SimStats();
    for (const r of [a.first, b.first, a.second, b.second]) parent.addReport(r);

    const all = new LatencyHistogram();
    for (let i = 0; i < 2000; i++) all.recordMs(0.5 + i * 0.25);
    for (let i = 0; i < 1000; i++) all.recordMs(40 + i * 1.5);
    all.recordMs(1000);
    all.recordMs(1000);

    const merged = parent.hist.rtt.summary();
    const expected = all.summary();
    // Percentiles are read from the same buckets either way; the max of a decoded histogram is its
    // bucket's upper edge, within the 3 significant digits the histograms keep.
    expect({ ...merged, max: 0 }).toEqual({ ...expected, max: 0 });
    expect(merged.count).toBe(3002);
    expect(Math.abs(merged.max - 1538.5) / 1538.5).toBeLessThan(0.001);
    // Samples from the two processes interleave in the middle of the distribution.
    expect(merged.p50).toBeGreaterThan(300);
    expect(merged.p50).toBeLessThan(501);
    expect(parent.counters.statesDelivered).toBe(3002);
    expect(parent.errors.get('ROOM_FULL')).toBe(2);
  });

  it('sends only what is new in each report', async () => {
    const { first, second } = await runChild(1, 1, 10);
    expect(first.counters.statesDelivered).toBe(10);
    expect(second.counters.statesDelivered).toBe(1);
    expect(second.errors).toEqual({});
    expect(LatencyHistogram.decode(first.histograms.rtt!).count).toBe(10);
    expect(LatencyHistogram.decode(second.histograms.rtt!).count).toBe(1);
  });
});
