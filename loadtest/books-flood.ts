// `node dist/loadtest/books-flood.js [--connections N] [--concurrency C]`: opens and abandons N
// connections from 127.0.0.1 by the paths that once leaked the primary's connection books (TCP hello
// then gone at once or after 20 ms, /ws without an upgrade, /ws with a bad key, /ws gone during its
// route lookup, a partial frame header), C at a time, against a Shoal it starts itself (2 workers,
// per-address limit 200), then reads the books from /metrics. They must be back at zero (the one
// HTTP socket counted is the scrape itself) and nothing refused.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { encode } from '../shared/protocol/codec.js';
import { frame } from '../shared/protocol/framing.js';
import { describeMachine, machine } from './machine.js';
import { sleep } from './scenario.js';
import { startShoal } from './servers.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('connections', 18000);
const C = arg('concurrency', 150);

const helloBytes = Buffer.from(frame(encode({ t: 'hello', v: 1, name: 'flood' })));
const PATHS: Array<[string, string | Buffer, number]> = [
  ['tcp hello, gone at once', helloBytes, 0],
  ['/ws without upgrade (426)', 'GET /ws HTTP/1.1\r\nHost: x\r\n\r\n', 50],
  ['/ws bad key (400)', 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n', 50],
  ['/ws gone during route lookup', 'GET /ws?room=r HTTP/1.1\r\nHost: x\r\n\r\n', 0],
  ['partial frame header', Buffer.from([0]), 0],
  ['tcp hello, gone after 20 ms', helloBytes, 20],
];

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const s = await startShoal({ workers: 2, args: ['--max-connections-per-address', '200'] });
  try {
    let started = 0;
    let closed = 0;
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const next = () => {
        if (started >= N) {
          if (closed === N) resolve();
          return;
        }
        const [, bytes, wait] = PATHS[started++ % PATHS.length]!;
        const sock = net.connect(s.port, '127.0.0.1');
        sock.on('error', () => {});
        sock.on('connect', () => {
          sock.write(bytes);
          setTimeout(() => sock.destroy(), wait);
        });
        sock.on('close', () => {
          closed++;
          next();
        });
      };
      for (let i = 0; i < C; i++) next();
    });
    const seconds = (Date.now() - t0) / 1000;
    await sleep(1500);
    const text = await scrape(s.port);
    const books = text.split('\n').filter((l) => /^shoal_(primary_connection|connections_refused)/.test(l));
    const result = { date: new Date().toISOString(), machine: describeMachine(machine()), connections: N, concurrency: C, seconds, paths: PATHS.map((p) => p[0]), books };
    console.log(JSON.stringify(result, null, 2));
    const out = path.join('loadtest/results', `${result.date.slice(0, 10)}-books-flood.json`);
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`written to ${out}`);
  } finally {
    await s.stop();
  }
}

void main();
