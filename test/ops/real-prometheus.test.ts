// A real Prometheus (Debian's /usr/bin/prometheus) scrapes a real Shoal every second, with the
// shipped rules loaded: its query API gives the players gauge that players joining really set,
// and every rule evaluates without error against real data.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, startServer, until, type TestServer } from '../helpers/server.js';
import { RULES_DIR, toolSkipReason } from './debian-tool.js';

const PROMETHEUS = '/usr/bin/prometheus';
const skip = toolSkipReason(PROMETHEUS, 'test/ops/real-prometheus.test.ts');

interface Sample { metric: Record<string, string>; value: [number, string] }

async function query(port: number, q: string): Promise<Sample[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
  const body = (await r.json()) as { status: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(body)}`);
  return body.data.result;
}

function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

it.skipIf(skip !== null)('a real Prometheus scraping Shoal every second sees the players who joined', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-prom-'));
  let server: TestServer | undefined;
  let prom: ChildProcess | undefined;
  const log: string[] = [];
  const killOnExit = () => prom?.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    server = await startServer({ workers: 2 });
    const port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(path.join(RULES_DIR, 'shoal-rules.yml'))}]`,
        'scrape_configs:',
        '  - job_name: shoal',
        '    scrape_timeout: 1s',
        `    static_configs: [{ targets: ['127.0.0.1:${server.port}'] }]`,
        '',
      ].join('\n'),
    );
    prom = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
    prom.stdout!.on('data', (d: Buffer) => log.push(d.toString()));

    const players = [
      server.client({ transport: 'tcp', name: 'prom-a', room: 'prom-1' }),
      server.client({ transport: 'ws', name: 'prom-b', room: 'prom-1' }),
      server.client({ transport: 'tcp', name: 'prom-c', room: 'prom-2' }),
    ];
    await Promise.all(players.map((c) => c.connect()));

    const value = (r: Sample[]) => (r.length === 1 ? Number(r[0]!.value[1]) : NaN);
    try {
      await until(async () => value(await query(port, 'sum(shoal_players)').catch(() => [])) === 3 || null, 30_000, 'Prometheus: shoal_players 3');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nprometheus log:\n${log.join('').slice(-3000)}`);
    }
    const up = await query(port, 'up{job="shoal"}');
    expect(value(up)).toBe(1);
    expect(value(await query(port, 'sum(shoal_rooms)'))).toBe(2);
    expect(value(await query(port, 'shoal_rooms{game="arena"}'))).toBe(2);
    expect(value(await query(port, 'shoal_workers_running'))).toBe(2);
    // One series per process, from the aggregated /metrics.
    const rss = await query(port, 'shoal_process_resident_memory_bytes');
    expect(rss.map((s) => s.metric.process).sort()).toEqual(['coordinator', 'primary', 'worker-0', 'worker-1']);

    // A player leaves: the gauge Prometheus stores goes down with it.
    await players[0]!.leave();
    await until(async () => value(await query(port, 'sum(shoal_players)').catch(() => [])) === 2 || null, 20_000, 'Prometheus: shoal_players 2');

    // The shipped rules evaluate against the real series without error, and none fires.
    const rules = await until(async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()) as {
        data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; state?: string; type: string }> }> };
      };
      const all = r.data.groups.flatMap((g) => g.rules);
      return all.length === 17 && all.every((x) => x.health === 'ok') ? all : null;
    }, 20_000, 'every rule evaluated ok');
    expect(rules.filter((x) => x.type === 'alerting' && x.state !== 'inactive').map((x) => x.name)).toEqual([]);
    // A recording rule's series, from the messages the players sent.
    for (let i = 0; i < 5; i++) await players[1]!.ping();
    await until(async () => value(await query(port, 'job:shoal_messages_in:rate1m')) > 0 || null, 20_000, 'job:shoal_messages_in:rate1m > 0');
    for (const c of players.slice(1)) c.close();
  } finally {
    if (prom) await stop(prom);
    process.off('exit', killOnExit);
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
