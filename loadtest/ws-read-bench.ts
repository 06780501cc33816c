// The WebSocket read path alone, old vs new, side by side in one process: the old WsConn (the ws
// library's WebSocket and Receiver behind WsInboundGuard, loaded from the old build's dist/) and
// this build's WsConn (ws-upgrade.ts + WsReader) each hold N real connections from ws clients in a
// child process. Each round the child sends one input-sized binary message on every connection
// (one frame per socket read, as a player's input arrives); blocks of rounds alternate old and
// new. The figure is the server process's CPU (user + system, process.cpuUsage) per message
// received, median over blocks, so background load hits both alike. Both sides are loaded from a
// build's dist/ (--old, and --new: this checkout by default), as the two builds' own classes.
//   node dist/loadtest/ws-read-bench.js --old /work/wt/base [--conns 500] [--blocks 8] [--rounds 200] [--out FILE.json]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { encode } from '../shared/protocol/codec.js';
import { median } from './result.js';

type Side = 'old' | 'new';
const MAX_FRAME = 65_536;
const MAX_OUT = 1 << 20;

function client(ports: Record<Side, number>, conns: number): void {
  const socks: Record<Side, WebSocket[]> = { old: [], new: [] };
  let open = 0;
  for (const side of ['old', 'new'] as const) {
    for (let i = 0; i < conns; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${ports[side]}/ws`, { perMessageDeflate: false });
      ws.on('open', () => {
        if (++open === 2 * conns) process.send!('ready');
      });
      ws.on('error', () => {});
      socks[side].push(ws);
    }
  }
  const body = encode({ t: 'input', seq: 123456, dx: 0.70710678, dy: -0.70710678 });
  process.on('message', (m: { side: Side; rounds: number }) => {
    let r = 0;
    const round = (): void => {
      for (const ws of socks[m.side]) ws.send(body, { binary: true });
      if (++r < m.rounds) setTimeout(round, 2);
    };
    round();
  });
}

/** Listens with one side's upgrade path; counts the messages its connections receive. */
async function listen(side: Side, root: string, count: { n: number }): Promise<{ server: http.Server; port: number; socks: net.Socket[] }> {
  const server = http.createServer();
  const socks: net.Socket[] = [];
  const onMessage = (): void => {
    count.n++;
  };
  // As Intake.take does: a 'data' listener on every handed-over socket.
  server.on('connection', (s: net.Socket) => s.on('data', noop));
  if (side === 'old') {
    const mod = (await import(pathToFileURL(path.join(root, 'dist/server/worker/net/ws-conn.js')).href)) as {
      WsConn: new (ws: WebSocket, sock: net.Socket, address: string, maxFrame: number, maxOut: number) => { onMessage: (b: Buffer) => void };
    };
    // The old Intake's WebSocketServer options.
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, maxBufferedChunks: 1024, perMessageDeflate: false, clientTracking: false });
    server.on('upgrade', (req, sock: net.Socket, head: Buffer) => {
      wss.handleUpgrade(req, sock, head, (ws) => {
        const conn = new mod.WsConn(ws, sock, '127.0.0.1', MAX_FRAME, MAX_OUT);
        conn.onMessage = onMessage;
        socks.push(sock);
      });
    });
  } else {
    const { WsConn } = (await import(pathToFileURL(path.join(root, 'dist/server/worker/net/ws-conn.js')).href)) as {
      WsConn: new (sock: net.Socket, address: string, maxFrame: number, maxOut: number) => { onMessage: (b: Buffer) => void; read(b: Buffer): void };
    };
    const { answerUpgrade } = (await import(pathToFileURL(path.join(root, 'dist/server/worker/net/ws-upgrade.js')).href)) as {
      answerUpgrade: (req: http.IncomingMessage, sock: net.Socket) => boolean;
    };
    server.on('upgrade', (req, sock: net.Socket, head: Buffer) => {
      if (!answerUpgrade(req, sock)) return;
      sock.off('data', noop);
      const conn = new WsConn(sock, '127.0.0.1', MAX_FRAME, MAX_OUT);
      conn.onMessage = onMessage;
      socks.push(sock);
      if (head.length) conn.read(head);
    });
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, socks };
}

async function main(o: { old: string; new: string; conns: number; blocks: number; rounds: number; out?: string }): Promise<void> {
  const counts: Record<Side, { n: number }> = { old: { n: 0 }, new: { n: 0 } };
  const old = await listen('old', o.old, counts.old);
  const neu = await listen('new', o.new, counts.new);
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'client', '--old-port', String(old.port), '--new-port', String(neu.port), '--conns', String(o.conns)]);
  await new Promise<void>((r) => child.once('message', () => r()));
  const startedAt = new Date().toISOString();
  const perMsg: Record<Side, number[]> = { old: [], new: [] };
  const loads: number[] = [];
  for (let b = 0; b < o.blocks; b++) {
    const sides: Side[] = b % 2 ? ['new', 'old'] : ['old', 'new'];
    for (const side of sides) {
      const want = counts[side].n + o.rounds * o.conns;
      const c0 = process.cpuUsage();
      child.send({ side, rounds: o.rounds });
      while (counts[side].n < want) await new Promise((res) => setTimeout(res, 1));
      const c = process.cpuUsage(c0);
      perMsg[side].push((c.user + c.system) / (o.rounds * o.conns));
      loads.push(os.loadavg()[0]!);
    }
  }
  const oldUs = median(perMsg.old);
  const newUs = median(perMsg.new);
  const ratios = perMsg.new.map((x, i) => x / perMsg.old[i]!);
  const result = JSON.stringify({
    startedAt, command: `node dist/loadtest/ws-read-bench.js ${process.argv.slice(2).join(' ')}`.trim(),
    conns: o.conns, blocks: o.blocks, rounds: o.rounds, load1: { min: Math.min(...loads), max: Math.max(...loads), median: median(loads) },
    usPerMessage: { old: perMsg.old.map((x) => +x.toFixed(2)), new: perMsg.new.map((x) => +x.toFixed(2)) },
    medianUsPerMessage: { old: +oldUs.toFixed(2), new: +newUs.toFixed(2) },
    newOverOld: +median(ratios).toFixed(3),
    note: 'CPU of the receiving server process (user + system) per WebSocket message received, one frame per socket read; medians over blocks, newOverOld the median of per-block ratios. The sending clients run in a child process and are not counted.',
  }, null, 2);
  console.log(result);
  if (o.out) fs.writeFileSync(o.out, result + '\n');
  child.kill();
  for (const s of [...old.socks, ...neu.socks]) s.destroy();
  old.server.close();
  neu.server.close();
}

function noop(): void {}

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'server' },
    old: { type: 'string' },
    new: { type: 'string', default: path.resolve(fileURLToPath(new URL('../..', import.meta.url))) },
    'old-port': { type: 'string' },
    'new-port': { type: 'string' },
    conns: { type: 'string', default: '500' },
    blocks: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '200' },
    out: { type: 'string' },
  },
});
if (values.role === 'client') client({ old: Number(values['old-port']), new: Number(values['new-port']) }, Number(values.conns));
else {
  if (!values.old) throw new Error('--old must name the old checkout (its dist/ built)');
  main({ old: values.old, new: values.new, conns: Number(values.conns), blocks: Number(values.blocks), rounds: Number(values.rounds), out: values.out })
    .then(() => process.exit(0), (err) => {
      console.error(err);
      process.exit(1);
    });
}
