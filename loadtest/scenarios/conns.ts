// `conns`: how fast connections are set up and what an idle one costs, Shoal against the seed
// design (a Python server forking a process per connection), with the same client:
//  - simultaneous: N connections started at once, each timed to its welcome;
//  - rate: N connections with 100 in flight per driver process (one driver per core), set up a second;
//  - sweep (full runs): 300 connections from ONE driver with 1, 10 and 100 in flight;
//  - memory: server memory (PSS of the process tree) per idle joined connection, held open.
import os from 'node:os';
import { DriverGroup, type ReadyTotals } from '../drivers/driver.js';
import { treeMemoryBytes } from '../proc-stats.js';
import { ratio, type Ratio } from '../result.js';
import { sleep, type ScenarioBody, type ScenarioContext } from '../scenario.js';
import { startBaseline, startShoal, type RunningServer } from '../servers.js';

interface Opened {
  ready: ReadyTotals;
  memPerConnKiB: number | null;
  group: DriverGroup;
}

async function open(
  ctx: ScenarioContext, s: RunningServer, connections: number, concurrency: number, timeoutMs: number, withMemory: boolean,
  deadlineMs = 0, procs?: number,
): Promise<Opened> {
  const before = withMemory ? treeMemoryBytes(s.proc.pid).bytes : 0;
  const group = new DriverGroup({ kind: 'connect', host: '127.0.0.1', port: s.port, connections, concurrency, timeoutMs, deadlineMs }, procs);
  const ready = await group.ready(deadlineMs + timeoutMs + 60_000);
  let memPerConnKiB: number | null = null;
  if (withMemory && ready.ok > 0) {
    await sleep(2000); // let per-connection buffers and room state settle
    const after = treeMemoryBytes(s.proc.pid).bytes;
    memPerConnKiB = Math.round(((after - before) / ready.ok / 1024) * 10) / 10;
  }
  ctx.log(`  ${s.name}: ${connections} connections (${concurrency || 'all'} at once): ok ${ready.ok}, failed ${ready.failed}` +
    ` in ${(ready.elapsedMs / 1000).toFixed(2)} s, connect p50 ${ready.connectMs.percentileMs(50).toFixed(1)} ms` +
    ` max ${ready.connectMs.summary().max} ms${memPerConnKiB !== null ? `, ${memPerConnKiB} KiB/connection` : ''}` +
    `${Object.keys(ready.errors).length ? `, errors ${JSON.stringify(ready.errors)}` : ''}`);
  return { ready, memPerConnKiB, group };
}

async function openAndClose(
  ctx: ScenarioContext, s: RunningServer, n: number, concurrency: number, timeoutMs: number, withMemory: boolean,
  deadlineMs = 0, procs?: number,
): Promise<Opened> {
  const o = await open(ctx, s, n, concurrency, timeoutMs, withMemory, deadlineMs, procs);
  await o.group.stop(false);
  o.group.kill();
  await sleep(500);
  return o;
}

export const connsScenario: ScenarioBody = async (ctx) => {
  const cores = os.availableParallelism();
  const big = ctx.quick ? 1000 : 10_000;
  const seedN = ctx.quick ? 100 : 500;
  const timeoutMs = ctx.quick ? 10_000 : 60_000;
  const rows: Array<Record<string, string | number | null>> = [];
  const row = (server: string, test: string, n: number, o: Opened) => {
    const rate = o.ready.elapsedMs > 0 ? Math.round(o.ready.ok / (o.ready.elapsedMs / 1000)) : 0;
    rows.push({
      server, test, connections: n, ok: o.ready.ok, failed: o.ready.failed, seconds: Math.round(o.ready.elapsedMs) / 1000,
      'set up/s': rate, 'connect p50 ms': o.ready.connectMs.percentileMs(50), 'connect max ms': o.ready.connectMs.summary().max,
      'KiB/conn': o.memPerConnKiB, errors: JSON.stringify(o.ready.errors),
    });
    return rate;
  };

  // How the set-up rate grows with connections in flight: a server that serves connections one at
  // a time shows latency growing with no gain in rate. One driver process, full runs only.
  const sweep = async (label: string, s: RunningServer): Promise<number | null> => {
    if (ctx.quick) return null;
    let at100 = 0;
    for (const inFlight of [1, 10, 100]) {
      at100 = row(label, `sweep: ${inFlight} in flight`, 300, await openAndClose(ctx, s, 300, inFlight, timeoutMs, false, 0, 1));
    }
    return at100;
  };

  const shoal = await startShoal({ workers: cores });
  let shoalSimul: Opened, shoalRate: number, shoalMem: Opened;
  try {
    shoalSimul = await openAndClose(ctx, shoal, 1000, 0, timeoutMs, false);
    row('shoal', 'simultaneous', 1000, shoalSimul);
    shoalRate = row('shoal', 'rate (100 in flight)', seedN, await openAndClose(ctx, shoal, seedN, 100, timeoutMs, false));
    // Wait for the players that left to be gone before measuring memory from a clean base.
    await sleep(1000);
    // Bounded: if Shoal sets connections up slowly, measure at however many are open by then.
    shoalMem = await openAndClose(ctx, shoal, big, 200, timeoutMs, true, ctx.quick ? 20_000 : 180_000);
    row('shoal', 'idle memory', shoalMem.ready.ok, shoalMem);
  } finally {
    await shoal.stop();
  }
  const shoalForSweep = ctx.quick ? null : await startShoal({ workers: cores });
  let shoalAt100: number | null = null;
  try {
    if (shoalForSweep) shoalAt100 = await sweep('shoal', shoalForSweep);
  } finally {
    await shoalForSweep?.stop();
  }

  const seed = await startBaseline('seed');
  let seedRate: number, seedMem: Opened, seedAt100: number | null;
  try {
    seedRate = row('seed (python fork)', 'rate (100 in flight)', seedN, await openAndClose(ctx, seed, seedN, 100, timeoutMs, false));
    seedMem = await openAndClose(ctx, seed, seedN, 100, timeoutMs, true);
    row('seed (python fork)', 'idle memory', seedN, seedMem);
    seedAt100 = await sweep('seed (python fork)', seed);
  } finally {
    await seed.stop();
  }

  const simul = shoalSimul.ready;
  const ratios: Ratio[] = [
    ratio('1000 simultaneous connects: slowest to welcome, s', simul.failed === 0 ? simul.connectMs.summary().max / 1000 : null, { op: '<=', value: 2 }),
    ratio(`connections set up a second (${seedN}, 100 in flight per driver × ${cores} drivers): shoal ÷ seed`, seedRate > 0 ? shoalRate / seedRate : null),
    ...(shoalAt100 !== null && seedAt100 ? [ratio('connections set up a second (300, 100 in flight, one driver): shoal ÷ seed', shoalAt100 / seedAt100, { op: '>=', value: 6 })] : []),
    ratio(`server memory per idle TCP connection at ${shoalMem.ready.ok} (of ${big} asked), KiB`, shoalMem.memPerConnKiB, { op: '<=', value: 20 }),
    ratio(`seed memory per connection at ${seedN}, KiB`, seedMem.memPerConnKiB),
  ];
  return {
    ratios,
    rows,
    chart: {
      title: `connections set up a second (100 in flight per driver, ${cores} drivers)`, xLabel: 'server', yLabel: 'connections / s',
      xTicks: ['shoal', 'seed (python fork)'],
      series: [{ name: `${seedN} connections`, points: [[0, shoalRate], [1, seedRate]] }],
    },
    notes: [
      'Every connection sends hello and waits for welcome; "set up" means welcomed. Connections are held open (idle) until all are up, then closed.',
      'Memory is the PSS of the server\'s process tree (primary, coordinator, workers; or the Python parent and its forks), measured before and 2 s after the connections are up; per connection = difference ÷ connections. Shoal\'s idle connections are joined players in rooms of 16.',
      `Client: ${cores} forked driver processes with raw TCP sockets, the same for both servers; "in flight" is per driver process (the in-flight sweep uses one driver, so its figures are the true number in flight; a fresh Shoal for it).`,
      'Memory: the baseline PSS is read on a server that has already served the earlier tests\' connections, so memory they grew and the new connections reuse is not counted: biased low.',
    ],
  };
};
