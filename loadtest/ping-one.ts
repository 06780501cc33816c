// `node dist/loadtest/ping-one.js [--seconds S]`: closed-loop ping round trips a second on ONE
// connection, TCP and WebSocket, with the loadtest raw-socket driver, against a Shoal it starts itself
// (1 worker), side by side with the bare `net` and `ws` baselines and the same raw driver.
import { DriverGroup } from './drivers/driver.js';
import type { DriverTransport } from './drivers/messages.js';
import { describeMachine, machine } from './machine.js';
import { stopAll } from './processes.js';
import { sleep } from './scenario.js';
import { startBaseline, startShoal, type RunningServer } from './servers.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;

async function rate(s: RunningServer, transport: DriverTransport): Promise<{ rate: number; p50: number; p99: number }> {
  const g = new DriverGroup({ kind: 'ping', host: '127.0.0.1', port: s.port, transport, connections: 1 });
  await g.ready(30_000);
  await sleep(1000);
  g.measure();
  await sleep(seconds * 1000);
  const t = (await g.stop(true))!;
  const sum = t.rtt.summary();
  return { rate: Math.round(t.rate), p50: sum.p50, p99: sum.p99 };
}

async function main(): Promise<void> {
  console.log(`machine: ${describeMachine(machine())}`);
  const rows: string[] = [];
  for (const [label, start, transports] of [
    ['shoal (1 worker)', () => startShoal({ workers: 1 }), ['tcp', 'ws']],
    ['bare net', () => startBaseline('net'), ['tcp']],
    ['bare ws', () => startBaseline('ws'), ['ws']],
  ] as Array<[string, () => Promise<RunningServer>, DriverTransport[]]>) {
    const s = await start();
    try {
      for (const tr of transports) {
        const r = await rate(s, tr);
        rows.push(`${label.padEnd(18)} ${tr.padEnd(4)} ${String(r.rate).padStart(7)} round trips/s  rtt p50 ${r.p50} ms  p99 ${r.p99} ms`);
        console.log(rows[rows.length - 1]);
      }
    } finally {
      await s.stop();
    }
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
