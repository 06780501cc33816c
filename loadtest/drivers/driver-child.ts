// A forked load-driver process: opens its share of the connections, then either runs closed-loop
// pings (one outstanding ping per connection, the next sent as soon as the pong arrives) or just
// holds the connections idle, as its job says.
import { LatencyHistogram } from '../../client-sim/histogram.js';
import type { ConnectJob, DriverToParent, ParentToDriver, PingJob } from './messages.js';
import { joinRaw, prepare, type RawConnection } from './raw-connection.js';
import { isPong } from './is-pong.js';

const conns: RawConnection[] = [];
const rtt = new LatencyHistogram();
let measuring = false;
let roundTrips = 0;
let measureStart = 0;

function send(m: DriverToParent): void {
  process.send?.(m);
}

async function openAll(
  job: PingJob | ConnectJob, transport: 'tcp' | 'ws', concurrency: number, timeoutMs: number, deadlineMs = 0,
): Promise<void> {
  const connectMs = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let next = 0;
  const t0 = performance.now();
  const stopAt = deadlineMs > 0 ? t0 + deadlineMs : Infinity;
  const worker = async () => {
    while (next < job.connections && performance.now() < stopAt) {
      const i = next++;
      const t = performance.now();
      try {
        conns.push(await joinRaw(transport, job.host, job.port, `drv-${process.pid}-${i}`, timeoutMs));
        connectMs.recordMs(performance.now() - t);
        ok++;
      } catch (err) {
        failed++;
        const code = (err as { code?: string }).code ?? 'CONNECT_FAILED';
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  const n = concurrency > 0 ? Math.min(concurrency, job.connections) : job.connections;
  await Promise.all(Array.from({ length: n }, worker));
  send({ type: 'ready', ok, failed, errors, connectMs: connectMs.encode(), elapsedMs: performance.now() - t0 });
}

function startPinging(): void {
  conns.forEach((c, i) => {
    const ping = prepare({ t: 'ping', id: i });
    let sentAt = performance.now();
    c.onMessage = (body) => {
      if (!isPong(body)) return;
      const now = performance.now();
      if (measuring) {
        roundTrips++;
        rtt.recordMs(now - sentAt);
      }
      sentAt = now;
      c.send(ping.framed, ping.body);
    };
    c.send(ping.framed, ping.body);
  });
}

process.on('message', (m: ParentToDriver) => {
  if (m.type === 'job') {
    const job = m.job;
    if (job.kind === 'ping') {
      void openAll(job, job.transport, 200, 30_000).then(startPinging);
    } else {
      void openAll(job, 'tcp', job.concurrency, job.timeoutMs, job.deadlineMs);
    }
  } else if (m.type === 'measure') {
    roundTrips = 0;
    rtt.reset();
    measureStart = performance.now();
    measuring = true;
  } else if (m.type === 'stop') {
    if (measuring) {
      measuring = false;
      send({ type: 'result', roundTrips, rtt: rtt.encode(), seconds: (performance.now() - measureStart) / 1000 });
    }
    // Leave politely so Shoal does not keep the players frozen for their grace period and the
    // next run does not share the server with them.
    const leave = prepare({ t: 'leave' });
    for (const c of conns) {
      c.onMessage = () => {};
      c.send(leave.framed, leave.body);
    }
    setTimeout(() => {
      for (const c of conns) c.close();
      process.exit(0);
    }, 300);
  }
});
process.on('disconnect', () => process.exit(0));
