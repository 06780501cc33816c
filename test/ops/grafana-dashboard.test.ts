// ops/grafana/shoal.json only queries metrics a running Shoal really exports, and every query is
// PromQL that Prometheus accepts (its Grafana variables filled in, checked by promtool).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyNames, scrape } from '../helpers/metrics.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { ROOT, toolSkipReason } from './debian-tool.js';

const DASHBOARD = path.join(ROOT, 'ops', 'grafana', 'shoal.json');
const PROMTOOL = '/usr/bin/promtool';

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ type: string; query: string }> };
}

function queries(d: Dashboard): string[] {
  const q = d.panels.flatMap((p) => p.targets.map((t) => t.expr));
  for (const v of d.templating.list) {
    const m = /^label_values\((.*), *\w+\)$/.exec(v.query);
    if (v.type === 'query' && m) q.push(m[1]!);
  }
  return q;
}

/** Metric names in a query: identifiers followed by a selector, or shoal_ names wherever they are. */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)) names.add(m[1]!);
  for (const m of expr.matchAll(/\bshoal_[a-z0-9_]+/g)) names.add(m[0]);
  return [...names];
}

/** Grafana's variables, as Prometheus would see them once Grafana has filled them in. */
function filled(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', 'shoal').replaceAll('$instance', '.*');
}

const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as Dashboard;

describe('the Grafana dashboard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has the panels an operator watches', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const t of ['Players', 'Rooms', 'Tick duration p99', 'Messages in / out', 'CPU per process', 'Resident memory per process', 'Connections refused']) {
      expect(titles).toContain(t);
    }
  });

  it('uses only metric names a running server exports on /metrics', async () => {
    const exported = familyNames(await scrape(server));
    const used = new Set(queries(dashboard).flatMap(metricNames));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
  });

  it.skipIf(toolSkipReason(PROMTOOL, 'test/ops/grafana-dashboard.test.ts') !== null)('has only queries promtool accepts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-dash-'));
    try {
      const rules = queries(dashboard).map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(filled(q))}`);
      fs.writeFileSync(path.join(dir, 'q.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const r = await promisify(execFile)(PROMTOOL, ['check', 'rules', 'q.yml'], { cwd: dir });
      expect(r.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
