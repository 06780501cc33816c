// docs/OPERATIONS.md's metric table and a running server's /metrics name the same metrics, both
// ways; and its alert table names exactly the alerts ops/prometheus/shoal-rules.yml defines.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyNames, scrape } from '../helpers/metrics.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { ROOT, RULES_DIR } from './debian-tool.js';

const doc = fs.readFileSync(path.join(ROOT, 'docs', 'OPERATIONS.md'), 'utf8');
/** First-column names of the doc's table rows, e.g. "| `shoal_players` | gauge |". */
const rowNames = (re: RegExp) => new Set([...doc.matchAll(re)].map((m) => m[1]!));

describe('docs/OPERATIONS.md', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('documents every shoal_ metric /metrics exports, and no other', async () => {
    const text = await scrape(server);
    const exported = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    // prom-client's Node.js metrics are one row, `shoal_nodejs_*`.
    const ours = exported.filter((n) => !n.startsWith('shoal_nodejs_'));
    expect(exported.some((n) => n.startsWith('shoal_nodejs_'))).toBe(true);
    const documented = rowNames(/^\| `(shoal_[a-z0-9_]+)` \| (?:counter|gauge|histogram) \|/gm);
    expect(ours.filter((n) => !documented.has(n)), 'exported but not in docs/OPERATIONS.md').toEqual([]);
    const all = familyNames(text);
    expect([...documented].filter((n) => !all.has(n)), 'in docs/OPERATIONS.md but not exported').toEqual([]);
    expect(exported.every((n) => n.startsWith('shoal_')), 'every metric has the shoal_ prefix').toBe(true);
  });

  it('documents every alert the rules file defines, and no other', () => {
    const rules = fs.readFileSync(path.join(RULES_DIR, 'shoal-rules.yml'), 'utf8');
    const defined = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!).sort();
    expect(defined.length).toBeGreaterThan(5);
    expect([...rowNames(/^\| `(Shoal\w+)` \|/gm)].sort()).toEqual(defined);
  });
});
