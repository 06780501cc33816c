// A stand-in Shoal host for the client library's redirect tests: a real TCP or WebSocket listener
// on loopback that speaks the protocol's hello exchange and answers each hello as the test says
// (REDIRECT to another host, or a welcome). It makes what a real world of hosts cannot be made to
// do on purpose: hosts that send a client round in a loop, a REDIRECT with a broken `to`.
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decode, encode } from '../../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../../shared/protocol/framing.js';

export interface SeenHello {
  hello: Record<string, unknown>;
  /** The WebSocket request's path and query (ws hosts only). */
  url?: string;
  at: number;
}

/** How a host answers a hello: send it elsewhere, or seat it. */
export type Answer = { redirect: string | undefined } | { welcome: true };

export interface StandInHost {
  address: string;
  port: number;
  hellos: SeenHello[];
  answer: (hello: Record<string, unknown>) => Answer;
  /** Drops every open connection without a goodbye (a network fault). */
  dropAll(): void;
  close(): Promise<void>;
}

let nextId = 1;

function reply(hello: Record<string, unknown>, a: Answer): { msg: Record<string, unknown>; close: boolean } {
  if ('redirect' in a) {
    const msg: Record<string, unknown> = { t: 'error', code: 'REDIRECT', message: 'the room runs on another host', fatal: true };
    if (a.redirect !== undefined) msg.to = a.redirect;
    return { msg, close: true };
  }
  const token = typeof hello.token === 'string' ? hello.token : `tok-${nextId}`;
  return {
    msg: {
      t: 'welcome', id: `p${nextId++}`, token, room: typeof hello.room === 'string' ? hello.room : 'r1',
      hz: 20, tick: 1, resumed: typeof hello.token === 'string', world: { w: 100, h: 100 }, game: 'arena',
    },
    close: false,
  };
}

export async function standInHost(kind: 'tcp' | 'ws', answer: StandInHost['answer']): Promise<StandInHost> {
  const drops = new Set<() => void>();
  const host: StandInHost = { address: '', port: 0, hellos: [], answer, dropAll: () => [...drops].forEach((d) => d()), close: async () => {} };
  const onHello = (hello: Record<string, unknown>, url: string | undefined) => {
    host.hellos.push({ hello, at: Date.now(), ...(url === undefined ? {} : { url }) });
    return reply(hello, host.answer(hello));
  };
  let server: net.Server | http.Server;
  if (kind === 'tcp') {
    server = net.createServer((sock) => {
      const drop = () => sock.destroy();
      drops.add(drop);
      sock.on('close', () => drops.delete(drop));
      sock.on('error', () => {});
      const reader = new FrameReader(65536, (body) => {
        const m = decode(body) as Record<string, unknown>;
        if (m.t !== 'hello') return;
        const r = onHello(m, undefined);
        sock.write(frame(encode(r.msg)));
        if (r.close) sock.end();
      }, () => sock.destroy());
      sock.on('data', (c) => reader.push(c));
    });
  } else {
    const wss = new WebSocketServer({ noServer: true });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const drop = () => ws.terminate();
        drops.add(drop);
        ws.on('close', () => drops.delete(drop));
        ws.on('message', (data: Buffer) => {
          const m = decode(data) as Record<string, unknown>;
          if (m.t !== 'hello') return;
          const r = onHello(m, req.url);
          ws.send(encode(r.msg));
          if (r.close) ws.close(1000);
        });
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.port = (server.address() as net.AddressInfo).port;
  host.address = `127.0.0.1:${host.port}`;
  host.close = () => {
    host.dropAll();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return host;
}
