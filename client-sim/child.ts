// A child process of the simulator: runs its share of the players and reports to the parent
// once a second over IPC. One timer drives all of its players (see SimPlayer.step).
import WebSocket from 'ws';
import { tcpConnector } from '../shared/client/tcp-transport.js';
import { wsConnector, type WsConstructor } from '../shared/client/ws-transport.js';
import type { Connector } from '../shared/client/transport.js';
import { countingConnector, type ByteCounts } from './counting-connector.js';
import type { ChildToParent, ParentToChild } from './ipc.js';
import type { SimOptions } from './options.js';
import { SimPlayer, type PlayerWorld } from './player.js';
import { SimStats } from './stats.js';

const STEP_MS = 10;
const REPORT_MS = 1000;

const stats = new SimStats();
const bytes: ByteCounts = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
const reported: ByteCounts = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
const players: SimPlayer[] = [];
let measuring = false;
let opts: SimOptions;

function send(m: ChildToParent): void {
  process.send?.(m);
}

/** Moves the byte counts gathered by the connectors into the stats, as deltas. */
function foldBytes(): void {
  for (const k of ['messagesIn', 'messagesOut', 'bytesIn', 'bytesOut'] as const) {
    stats.count(k, bytes[k] - reported[k]);
    reported[k] = bytes[k];
  }
}

function joinedNow(): number {
  let n = 0;
  for (const p of players) if (p.joined) n++;
  return n;
}

function report(): void {
  foldBytes();
  send({ type: 'report', report: stats.takeReport(joinedNow()) });
}

async function start(o: SimOptions, indices: number[]): Promise<void> {
  opts = o;
  const tcp = countingConnector(tcpConnector(o.host, o.port), bytes, 4, 4);
  const ws = countingConnector(
    wsConnector(`ws://${o.host}:${o.port}/ws`, WebSocket as unknown as WsConstructor), bytes, 2, 6,
  );
  const world: PlayerWorld = {
    stats,
    settings: { inputHz: o.inputHz, pingHz: o.pingHz, chatEvery: o.chatEvery },
    measuring: () => measuring,
  };
  for (const i of indices) {
    const connector: Connector = o.transport === 'tcp' ? tcp : o.transport === 'ws' ? ws : i % 2 === 0 ? tcp : ws;
    const room = o.roomSize > 0 ? `${o.roomPrefix}-${Math.floor(i / o.roomSize)}` : undefined;
    players.push(new SimPlayer(`sim-${i}`, room, connector, world, { leaveAt: -1, dropAt: -1 }));
  }
  setInterval(() => {
    const now = performance.now();
    for (const p of players) p.step(now);
  }, STEP_MS);
  setInterval(report, REPORT_MS);

  // Ramp: this child's share of the connect rate, in small batches every STEP_MS.
  const perStep = Math.max(1, (o.rampRate / o.procs) * (STEP_MS / 1000));
  const joins: Promise<void>[] = [];
  let credit = 0;
  for (let next = 0; next < players.length; ) {
    credit += perStep;
    while (credit >= 1 && next < players.length) {
      joins.push(players[next++]!.start());
      credit--;
    }
    await sleep(STEP_MS);
  }
  await Promise.all(joins);
  send({ type: 'ramped' });
}

function beginMeasuring(): void {
  measuring = true;
  const now = performance.now();
  const windowMs = opts.seconds * 1000;
  for (const p of players) {
    p.beginMeasuring();
    // Leaves and drops happen in the middle of the window, so their effects are measured.
    const at = now + windowMs * (0.2 + 0.4 * Math.random());
    const r = Math.random();
    if (r < opts.leaveFraction) p.schedule({ leaveAt: at, dropAt: -1 });
    else if (r < opts.leaveFraction + opts.dropFraction) p.schedule({ leaveAt: -1, dropAt: at });
  }
}

async function stop(): Promise<void> {
  const now = performance.now();
  await Promise.race([Promise.all(players.map((p) => p.stop(now))), sleep(3000)]);
  measuring = false;
  foldBytes();
  send({ type: 'done', report: stats.takeReport(0) });
  // Let the IPC message leave before exiting.
  setTimeout(() => process.exit(0), 50);
}

process.on('message', (m: ParentToChild) => {
  if (m.type === 'start') void start(m.opts, m.indices);
  else if (m.type === 'measure') beginMeasuring();
  else if (m.type === 'stop') void stop();
});
// Orphaned (the parent died): do not linger holding connections.
process.on('disconnect', () => process.exit(0));

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
