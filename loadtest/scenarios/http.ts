// `http`: autocannon against /health, /rooms and /leaderboard of Shoal and of a bare node:http
// cluster with as many workers, one after the other in the same run.
import os from 'node:os';
import autocannon from 'autocannon';
import { median, pairedRatio, ratio, type Ratio } from '../result.js';
import type { ScenarioBody } from '../scenario.js';
import { startBaseline, startShoal, type RunningServer } from '../servers.js';

const PATHS = ['/health', '/rooms', '/leaderboard'];

async function cannon(port: number, path: string, seconds: number): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`, connections: 100, pipelining: 1, duration: seconds,
  });
  return {
    rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors + r.timeouts, non2xx: r.non2xx,
  };
}

export const httpScenario: ScenarioBody = async (ctx) => {
  const cores = os.availableParallelism();
  const seconds = ctx.quick ? 2 : 8;
  const repeats = ctx.quick ? 1 : 3;
  const results: Array<{ server: string; path: string; rps: number; p50: number; p99: number; errors: number; non2xx: number }> = [];
  const servers: Array<[string, () => Promise<RunningServer>]> = [
    ['shoal', () => startShoal({ workers: cores })],
    [`bare node:http cluster(${cores})`, () => startBaseline('http', cores)],
  ];
  for (let r = 0; r < repeats; r++) {
    for (const [label, start] of servers) {
      const s = await start();
      try {
        // Warm-up: the first second of a fresh server (JIT, connection pools) is not its speed.
        await cannon(s.port, '/health', 1);
        for (const p of PATHS) {
          const x = await cannon(s.port, p, seconds);
          ctx.log(`  ${label} ${p}: ${x.rps} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms, errors ${x.errors}, non-2xx ${x.non2xx}`);
          results.push({ server: label, path: p, ...x });
        }
      } finally {
        await s.stop();
      }
    }
  }
  const med = (server: string, p: string, k: 'rps' | 'p50' | 'p99') =>
    median(results.filter((x) => x.server === server && x.path === p).map((x) => x[k]));
  const bare = servers[1]![0];
  const series = (server: string, p: string) => results.filter((x) => x.server === server && x.path === p).map((x) => x.rps);
  const ratios: Ratio[] = PATHS.map((p) => ratio(`autocannon ${p}: shoal ÷ bare node:http cluster(${cores})`,
    pairedRatio(series('shoal', p), series(bare, p)), { op: '>=', value: 0.95 }));
  const rows = servers.flatMap(([label]) => PATHS.map((p) => ({
    server: label, path: p, 'req/s (median)': med(label, p, 'rps'), 'p50 ms': med(label, p, 'p50'), 'p99 ms': med(label, p, 'p99'),
    errors: results.filter((x) => x.server === label && x.path === p).reduce((a, x) => a + x.errors + x.non2xx, 0),
  })));
  return {
    ratios,
    rows,
    chart: {
      title: 'HTTP requests a second (autocannon, 100 connections)', xLabel: 'path', yLabel: 'requests / s',
      xTicks: PATHS,
      series: servers.map(([label]) => ({ name: label, points: PATHS.map((p, i) => [i, med(label, p, 'rps')] as [number, number]) })),
    },
    notes: [
      `autocannon in the load-test process (one thread), 100 connections, no pipelining, ${seconds} s per path, ${repeats} round(s); each ratio is the median of the per-round ratios.`,
      'The bare server answers the same paths with fixed JSON of a similar size; Shoal asks its primary (/health) and coordinator (/rooms, /leaderboard), each worker reusing an answer for httpCacheMs (250 ms by default).',
    ],
  };
};
