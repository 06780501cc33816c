// `channel`: Shoal's worker-coordinator channel (shared/ipc/channel.ts) between two processes over
// a Unix socket: small pushes a second, and small requests a second with 2000 outstanding.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '../../shared/ipc/channel.js';
import { median, ratio } from '../result.js';
import { sleep, type ScenarioBody, type ScenarioContext } from '../scenario.js';

const CHILD = fileURLToPath(new URL('../drivers/channel-child.js', import.meta.url));

async function measure(ctx: ScenarioContext, mode: 'push' | 'request', seconds: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-channel-'));
  const sockPath = path.join(dir, 'ch.sock');
  let received = 0;
  const server = net.createServer((sock) => {
    // The receiving end plays the coordinator: counts pushes, answers requests at once.
    new Channel(sock, (_op, args) => {
      received++;
      return args;
    }, () => {
      received++;
    });
  });
  await new Promise<void>((r) => server.listen(sockPath, r));
  const child = fork(CHILD, [sockPath, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await sleep(ctx.quick ? 500 : 1000);
    const r0 = received;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const rate = Math.round((received - r0) / ((performance.now() - t0) / 1000));
    ctx.log(`  channel ${mode}: ${rate} messages/s`);
    return rate;
  } finally {
    if (child.connected) child.send({ type: 'stop' });
    setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    await new Promise((r) => child.once('exit', r));
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const channelScenario: ScenarioBody = async (ctx) => {
  const seconds = ctx.quick ? 1.5 : 5;
  const repeats = ctx.quick ? 1 : 3;
  const push: number[] = [];
  const req: number[] = [];
  for (let i = 0; i < repeats; i++) {
    push.push(await measure(ctx, 'push', seconds));
    req.push(await measure(ctx, 'request', seconds));
  }
  return {
    ratios: [
      ratio('worker-coordinator channel, small pushes a second', median(push), { op: '>=', value: 300_000 }),
      ratio('worker-coordinator channel, small requests answered a second (2000 outstanding)', median(req)),
    ],
    rows: [
      { mode: 'push', 'messages/s (median)': median(push), runs: push.join(' / ') },
      { mode: 'request', 'messages/s (median)': median(req), runs: req.join(' / ') },
    ],
    notes: [
      'Two processes, Shoal\'s Channel class on both ends over a Unix socket, messages like { id, x, y }.',
      `${repeats} round(s) of ${seconds} s; sender bursts 1000 pushes per event-loop turn and backs off above 1 MiB unsent.`,
    ],
  };
};
