// The WebSocket send path alone, old vs new, side by side in one process: N real WebSocket
// clients (ws, in a child process that only reads) and a server that sends each of them the same
// state-sized message per round, either through ws.send (the way WsConn sent before) or as one
// prebuilt frame written straight to each socket (the way it sends now). Blocks of rounds
// alternate the two ways; the figure is the server process's CPU (user + system, from
// process.cpuUsage) per message, median over blocks, so background load hits both alike.
//   node dist/loadtest/ws-send-bench.js [--conns 500] [--blocks 8] [--rounds 400] [--bytes 220] [--out FILE.json]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { wsBinaryFrame } from '../shared/protocol/ws-frame.js';
import { median } from './result.js';

type Way = 'ws.send' | 'prebuilt frame';

function client(port: number, conns: number): void {
  let open = 0;
  for (let i = 0; i < conns; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    ws.on('open', () => {
      if (++open === conns) process.send!('ready');
    });
    ws.on('message', () => {});
    ws.on('error', () => {});
  }
}

async function server(o: { conns: number; blocks: number; rounds: number; bytes: number; out?: string }): Promise<void> {
  const httpServer = http.createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const peers: Array<{ ws: WebSocket; sock: net.Socket }> = [];
  httpServer.on('upgrade', (req, sock: net.Socket, head) => {
    wss.handleUpgrade(req, sock, head, (ws) => {
      sock.setNoDelay(true);
      peers.push({ ws, sock });
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const port = (httpServer.address() as AddressInfo).port;
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'client', '--port', String(port), '--conns', String(o.conns)]);
  await new Promise<void>((r) => child.once('message', () => r()));
  const startedAt = new Date().toISOString();
  const body = Buffer.alloc(o.bytes, 0x91);
  const perMsg: Record<Way, number[]> = { 'ws.send': [], 'prebuilt frame': [] };
  for (let b = 0; b < o.blocks; b++) {
    const ways: Way[] = b % 2 ? ['prebuilt frame', 'ws.send'] : ['ws.send', 'prebuilt frame'];
    for (const way of ways) {
      const c0 = process.cpuUsage();
      for (let r = 0; r < o.rounds; r++) {
        if (way === 'ws.send') {
          for (const p of peers) p.ws.send(body, { binary: true });
        } else {
          const frame = wsBinaryFrame(body);
          for (const p of peers) p.sock.write(frame);
        }
        // Let the writes complete and the client read, as between two ticks.
        await new Promise((res) => setTimeout(res, 2));
      }
      const c = process.cpuUsage(c0);
      perMsg[way].push((c.user + c.system) / (o.rounds * peers.length));
    }
  }
  const oldUs = median(perMsg['ws.send']);
  const newUs = median(perMsg['prebuilt frame']);
  const result = JSON.stringify({
    startedAt, command: `node dist/loadtest/ws-send-bench.js ${process.argv.slice(2).join(' ')}`.trim(),
    conns: peers.length, blocks: o.blocks, rounds: o.rounds, bytes: o.bytes, load1: os.loadavg()[0],
    usPerMessage: { 'ws.send': perMsg['ws.send'].map((x) => +x.toFixed(2)), 'prebuilt frame': perMsg['prebuilt frame'].map((x) => +x.toFixed(2)) },
    medianUsPerMessage: { 'ws.send': +oldUs.toFixed(2), 'prebuilt frame': +newUs.toFixed(2) },
    newOverOld: +(newUs / oldUs).toFixed(3),
    note: 'CPU of the sending process (user + system) per message, median over blocks; the reading clients run in a child process and are not counted.',
  }, null, 2);
  console.log(result);
  if (o.out) fs.writeFileSync(o.out, result + '\n');
  child.kill();
  for (const p of peers) p.sock.destroy();
  httpServer.close();
}

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'server' },
    port: { type: 'string' },
    conns: { type: 'string', default: '500' },
    blocks: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '400' },
    bytes: { type: 'string', default: '220' },
    out: { type: 'string' },
  },
});
if (values.role === 'client') client(Number(values.port), Number(values.conns));
else {
  server({ conns: Number(values.conns), blocks: Number(values.blocks), rounds: Number(values.rounds), bytes: Number(values.bytes), out: values.out })
    .then(() => process.exit(0), (err) => {
      console.error(err);
      process.exit(1);
    });
}
