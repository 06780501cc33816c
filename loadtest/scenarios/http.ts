// `http`: autocannon against /health, /rooms and /leaderboard of Shoal and of a bare node:http
// cluster with as many workers, alternated round by round in the same run. Each run records the
// server's CPU (its whole process tree, from /proc) and the client's (this process: autocannon
// runs here) beside req/s, so CPU per request shows which side ran out.
// SHOAL_HTTP_OLD_BUILD=/path/to/other/checkout adds that checkout's built Shoal (its dist/) as a
// third server, "shoal old", for a side-by-side A/B of two builds in one run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { treeCpuSeconds } from '../proc-stats.js';
import { median, pairedRatio, ratio, type Ratio } from '../result.js';
import type { ScenarioBody } from '../scenario.js';
import { startBaseline, startShoal, type RunningServer } from '../servers.js';

const PATHS = ['/health', '/rooms', '/leaderboard'];

interface Run {
  server: string;
  path: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU (whole tree) and client CPU (this process), in µs per request answered. */
  serverUsPerReq: number;
  clientUsPerReq: number;
  /** Cores busy over the run, server and client. */
  serverCores: number;
  clientCores: number;
}

async function cannon(port: number, p: string, seconds: number) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${p}`, connections: 100, pipelining: 1, duration: seconds,
  });
  return {
    rps: Math.round(r.requests.average), total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors + r.timeouts, non2xx: r.non2xx,
  };
}

/** One autocannon run with the server's and this process's CPU measured around it. */
async function measured(s: RunningServer, p: string, seconds: number) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const s0 = treeCpuSeconds(s.proc.pid);
  const x = await cannon(s.port, p, seconds);
  const s1 = treeCpuSeconds(s.proc.pid);
  const c = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const serverS = s1 - s0;
  const clientS = (c.user + c.system) / 1e6;
  const n = Math.max(1, x.total);
  return {
    ...x,
    serverUsPerReq: Math.round((serverS * 1e6) / n * 10) / 10,
    clientUsPerReq: Math.round((clientS * 1e6) / n * 10) / 10,
    serverCores: Math.round((serverS / wall) * 100) / 100,
    clientCores: Math.round((clientS / wall) * 100) / 100,
  };
}

export const httpScenario: ScenarioBody = async (ctx) => {
  const cores = os.availableParallelism();
  const seconds = ctx.quick ? 2 : 8;
  const repeats = ctx.quick ? 1 : 3;
  const results: Run[] = [];
  const bare = `bare node:http cluster(${cores})`;
  const oldDir = process.env.SHOAL_HTTP_OLD_BUILD;
  const oldMain = oldDir ? path.join(path.resolve(oldDir), 'dist', 'server', 'main.js') : undefined;
  if (oldMain && !fs.existsSync(oldMain)) throw new Error(`${oldMain} is missing: build that checkout first`);
  const servers: Array<[string, () => Promise<RunningServer>]> = [
    ['shoal', () => startShoal({ workers: cores })],
    ...(oldMain ? [['shoal old', () => startShoal({ workers: cores, main: oldMain })] as [string, () => Promise<RunningServer>]] : []),
    [bare, () => startBaseline('http', cores)],
  ];
  for (let r = 0; r < repeats; r++) {
    // Each round starts with a different server, so none always runs first (or last) on a busy machine.
    const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
    for (const [label, start] of order) {
      const s = await start();
      try {
        // Warm-up: the first seconds of a fresh server (JIT, connection pools, its processes
        // settling) are not its speed; every path is warmed, so the first measured is not penalised.
        for (const p of PATHS) await cannon(s.port, p, 1);
        for (const p of PATHS) {
          const x = await measured(s, p, seconds);
          ctx.log(`  round ${r + 1} ${label} ${p}: ${x.rps} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms, server ${x.serverUsPerReq} µs/req (${x.serverCores} cores), client ${x.clientUsPerReq} µs/req (${x.clientCores} cores), errors ${x.errors}, non-2xx ${x.non2xx}`);
          results.push({ server: label, path: p, round: r, ...x });
        }
      } finally {
        await s.stop();
      }
    }
  }
  const of = (server: string, p: string) => results.filter((x) => x.server === server && x.path === p).sort((a, b) => a.round - b.round);
  const med = (server: string, p: string, k: 'rps' | 'p50' | 'p99' | 'serverUsPerReq' | 'clientUsPerReq' | 'serverCores' | 'clientCores') => median(of(server, p).map((x) => x[k]));
  const series = (server: string, p: string, k: 'rps' | 'serverUsPerReq' = 'rps') => of(server, p).map((x) => x[k]);
  const ratios: Ratio[] = PATHS.map((p) => ratio(`autocannon ${p}: shoal ÷ bare node:http cluster(${cores})`,
    pairedRatio(series('shoal', p), series(bare, p)), { op: '>=', value: 0.95 }));
  for (const p of PATHS) {
    ratios.push(ratio(`server CPU per request ${p}: shoal ÷ bare (median of per-round ratios)`, pairedRatio(series('shoal', p, 'serverUsPerReq'), series(bare, p, 'serverUsPerReq'))));
  }
  if (oldMain) {
    for (const p of PATHS) {
      ratios.push(ratio(`autocannon ${p}: shoal old ÷ bare node:http cluster(${cores})`, pairedRatio(series('shoal old', p), series(bare, p))));
      ratios.push(ratio(`autocannon ${p}: shoal ÷ shoal old (req/s)`, pairedRatio(series('shoal', p), series('shoal old', p))));
      ratios.push(ratio(`server CPU per request ${p}: shoal ÷ shoal old`, pairedRatio(series('shoal', p, 'serverUsPerReq'), series('shoal old', p, 'serverUsPerReq'))));
    }
  }
  // The medians first, then every run (round by round) they come from.
  const rows: Array<Record<string, string | number>> = servers.flatMap(([label]) => PATHS.map((p) => ({
    round: 'median', server: label, path: p, 'req/s': med(label, p, 'rps'), 'p50 ms': med(label, p, 'p50'), 'p99 ms': med(label, p, 'p99'),
    'server µs/req': med(label, p, 'serverUsPerReq'), 'server cores': med(label, p, 'serverCores'),
    'client µs/req': med(label, p, 'clientUsPerReq'), 'client cores': med(label, p, 'clientCores'),
    errors: of(label, p).reduce((a, x) => a + x.errors + x.non2xx, 0),
  })));
  for (const x of results) {
    rows.push({
      round: x.round + 1, server: x.server, path: x.path, 'req/s': x.rps, 'p50 ms': x.p50, 'p99 ms': x.p99,
      'server µs/req': x.serverUsPerReq, 'server cores': x.serverCores, 'client µs/req': x.clientUsPerReq, 'client cores': x.clientCores,
      errors: x.errors + x.non2xx,
    });
  }
  return {
    ratios,
    rows,
    chart: {
      title: 'HTTP requests a second (autocannon, 100 connections)', xLabel: 'path', yLabel: 'requests / s',
      xTicks: PATHS,
      series: servers.map(([label]) => ({ name: label, points: PATHS.map((p, i) => [i, med(label, p, 'rps')] as [number, number]) })),
    },
    notes: [
      `autocannon in the load-test process (one thread), 100 connections, no pipelining, ${seconds} s per path, ${repeats} round(s), the servers' order rotated each round; each ratio is the median of the per-round ratios.`,
      'Server CPU: utime+stime of the server\'s whole process tree from /proc (Shoal: primary, coordinator, workers), over the run, per request answered; client CPU: this process (autocannon) the same way.',
      'The bare server answers the same paths with fixed JSON of a similar size; Shoal answers /health from the readiness its primary pushes to each worker, and /rooms, /leaderboard from the coordinator, each worker reusing a prepared answer for httpCacheMs (250 ms by default).',
      ...(oldMain ? [`shoal old: ${oldMain} (SHOAL_HTTP_OLD_BUILD), run the same way in the same rounds.`] : []),
    ],
  };
};
