// `ping`: closed-loop ping/pong over TCP and WebSocket at 100 and 1000 connections, against
// Shoal and, in the same run, bare single-process `net` and `ws` servers speaking the same
// protocol and the same servers under node:cluster. Server CPU per round trip comes from /proc.
import os from 'node:os';
import { DriverGroup } from '../drivers/driver.js';
import type { DriverTransport } from '../drivers/messages.js';
import { treeCpuSeconds } from '../proc-stats.js';
import { median, pairedRatio, ratio, type Ratio } from '../result.js';
import { sleep, type ScenarioBody, type ScenarioContext } from '../scenario.js';
import { startBaseline, startShoal, type RunningServer } from '../servers.js';

interface Sample {
  server: string;
  transport: DriverTransport;
  connections: number;
  rate: number;
  p50: number;
  p99: number;
  cpuUsPerRoundTrip: number;
  failed: number;
}

async function measure(
  ctx: ScenarioContext, s: RunningServer, transport: DriverTransport, connections: number,
  seconds: number, label: string,
): Promise<Sample> {
  const g = new DriverGroup({ kind: 'ping', host: '127.0.0.1', port: s.port, transport, connections });
  try {
    const ready = await g.ready(60_000);
    await sleep(ctx.quick ? 500 : 1000); // warm-up: JIT, buffers, the loop settling
    const cpu0 = treeCpuSeconds(s.proc.pid);
    g.measure();
    await sleep(seconds * 1000);
    const cpu1 = treeCpuSeconds(s.proc.pid);
    const t = (await g.stop(true))!;
    const sum = t.rtt.summary();
    const sample: Sample = {
      server: label, transport, connections, rate: Math.round(t.rate), p50: sum.p50, p99: sum.p99,
      cpuUsPerRoundTrip: t.roundTrips > 0 ? Math.round(((cpu1 - cpu0) / t.roundTrips) * 1e8) / 100 : NaN,
      failed: ready.failed,
    };
    ctx.log(`  ${label} ${transport} x${connections}: ${sample.rate} rt/s, p50 ${sum.p50} ms, p99 ${sum.p99} ms, ` +
      `${sample.cpuUsPerRoundTrip} µs server CPU/rt${ready.failed ? `, ${ready.failed} failed to join` : ''}`);
    return sample;
  } finally {
    g.kill();
  }
}

export const pingScenario: ScenarioBody = async (ctx) => {
  const cores = os.availableParallelism();
  const repeats = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 1.5 : 5;
  const counts = [100, 1000];
  const samples: Sample[] = [];
  const targets: Array<{ label: string; start: () => Promise<RunningServer>; transports: DriverTransport[] }> = [
    { label: 'shoal', start: () => startShoal({ workers: cores }), transports: ['tcp', 'ws'] },
    { label: 'bare net', start: () => startBaseline('net'), transports: ['tcp'] },
    { label: 'bare ws', start: () => startBaseline('ws'), transports: ['ws'] },
  ];
  // The cluster baselines only in full runs: --quick must stay under its time budget.
  if (!ctx.quick) {
    targets.push(
      { label: `bare net cluster(${cores})`, start: () => startBaseline('net', cores), transports: ['tcp'] },
      { label: `bare ws cluster(${cores})`, start: () => startBaseline('ws', cores), transports: ['ws'] },
    );
  }
  for (let r = 0; r < repeats; r++) {
    ctx.log(`ping: round ${r + 1} of ${repeats}`);
    for (const t of targets) {
      const s = await t.start();
      try {
        for (const tr of t.transports) for (const n of counts) samples.push(await measure(ctx, s, tr, n, seconds, t.label));
      } finally {
        await s.stop();
      }
    }
  }
  const med = (label: string, tr: DriverTransport, n: number, k: 'rate' | 'cpuUsPerRoundTrip' | 'p50' | 'p99') =>
    median(samples.filter((x) => x.server === label && x.transport === tr && x.connections === n).map((x) => x[k]));
  const series = (label: string, tr: DriverTransport, n: number, k: 'rate' | 'cpuUsPerRoundTrip') =>
    samples.filter((x) => x.server === label && x.transport === tr && x.connections === n).map((x) => x[k]);
  // Each ratio is the median of the per-round ratios (see pairedRatio).
  const pr = (a: string, b: string, tr: DriverTransport, btr: DriverTransport, n: number, k: 'rate' | 'cpuUsPerRoundTrip' = 'rate') =>
    pairedRatio(series(a, tr, n, k), series(b, btr, n, k));
  const ratios: Ratio[] = [];
  const rows: Array<Record<string, string | number>> = [];
  for (const n of counts) {
    ratios.push(ratio(`ping rt/s TCP, ${n} conns: shoal ÷ bare net`, pr('shoal', 'bare net', 'tcp', 'tcp', n), { op: '>=', value: 0.7 }));
    ratios.push(ratio(`ping rt/s WS, ${n} conns: shoal ÷ bare ws`, pr('shoal', 'bare ws', 'ws', 'ws', n), { op: '>=', value: 0.7 }));
    ratios.push(ratio(`server CPU per rt TCP, ${n} conns: shoal ÷ bare net`, pr('shoal', 'bare net', 'tcp', 'tcp', n, 'cpuUsPerRoundTrip'), { op: '<=', value: 1.5 }));
    ratios.push(ratio(`server CPU per rt WS, ${n} conns: shoal ÷ bare ws`, pr('shoal', 'bare ws', 'ws', 'ws', n, 'cpuUsPerRoundTrip'), { op: '<=', value: 1.5 }));
    if (!ctx.quick) {
      ratios.push(ratio(`ping rt/s TCP, ${n} conns: shoal ÷ bare net cluster(${cores})`, pr('shoal', `bare net cluster(${cores})`, 'tcp', 'tcp', n)));
      ratios.push(ratio(`ping rt/s WS, ${n} conns: shoal ÷ bare ws cluster(${cores})`, pr('shoal', `bare ws cluster(${cores})`, 'ws', 'ws', n)));
    }
  }
  for (const t of targets) for (const tr of t.transports) for (const n of counts) {
    rows.push({
      server: t.label, transport: tr, connections: n, 'round trips/s (median)': med(t.label, tr, n, 'rate'),
      'rtt p50 ms': med(t.label, tr, n, 'p50'), 'rtt p99 ms': med(t.label, tr, n, 'p99'),
      'server CPU µs/rt': med(t.label, tr, n, 'cpuUsPerRoundTrip'),
      runs: samples.filter((x) => x.server === t.label && x.transport === tr && x.connections === n).map((x) => x.rate).join(' / '),
    });
  }
  const labels = targets.flatMap((t) => t.transports.map((tr) => `${t.label} ${tr}`));
  return {
    ratios,
    rows,
    chart: {
      title: 'closed-loop ping: round trips a second (median)',
      xLabel: 'server and transport', yLabel: 'round trips / s',
      xTicks: labels.map((l) => l.replace('cluster', 'cl')),
      series: counts.map((n) => ({
        name: `${n} connections`,
        points: targets.flatMap((t) => t.transports.map((tr) => [labels.indexOf(`${t.label} ${tr}`), med(t.label, tr, n, 'rate')] as [number, number])),
      })),
    },
    notes: [
      `${repeats} round(s) of ${seconds} s per measurement after a warm-up; rows show medians, ratios are medians of the per-round ratios.`,
      `Client: ${cores} forked driver processes with raw sockets (no client library), one ping outstanding per connection; the same driver for every server.`,
      'Baselines decode each message and encode a pong with the same MessagePack codec as Shoal. Shoal\'s ping connections are joined players, so they also receive 20 Hz room state, which the baselines do not send.',
      'Server CPU: user+system time of the server\'s whole process tree over the window (from /proc), divided by round trips.',
      `Shoal runs ${cores} workers; the single-process baselines use one core, the cluster baselines ${cores}.`,
    ],
  };
};
