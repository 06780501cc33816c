// X-Forwarded-For is believed only from --trusted-proxies, and only up to the rightmost address
// that is not a trusted proxy (what a client wrote left of that could be made up). And the two
// proxy settings are checked at start like every other one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/protocol/codec.js';
import { run } from '../console/console-helpers.js';
import { hello } from '../helpers/raw.js';
import { MAIN, startServer, until, type TestServer } from '../helpers/server.js';

function wsFrom(port: number, from: string, xff: string | undefined, name: string): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress: from, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });
    const messages: any[] = [];
    ws.on('message', (d: Buffer) => messages.push(decode(d)));
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(encode(hello(name, { room: 'xff' })));
      until(() => messages.some((m) => m.t === 'welcome'), 10_000, `${name} welcomed`).then(() => resolve({ ws, messages }), reject);
    });
  });
}

function health(port: number, from: string, xff?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/health', localAddress: from, agent: false, headers: xff ? { 'x-forwarded-for': xff } : {} }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
      })
      .on('error', reject);
  });
}

const CAP = 10;

describe('X-Forwarded-For from trusted proxies only', () => {
  let server: TestServer;
  const open: WebSocket[] = [];
  beforeAll(async () => {
    server = await startServer({ workers: 2, args: ['--trusted-proxies', '127.0.0.1/32, 127.0.0.10', '--max-connections-per-address', String(CAP), '--hello-timeout-ms', '20000'] });
  });
  afterAll(async () => {
    for (const ws of open) ws.terminate();
    await server?.stop();
  });

  it("a WebSocket player's address is the rightmost untrusted X-Forwarded-For hop, when the peer is trusted", async () => {
    const cases: Array<[string, string | undefined, string, string]> = [
      // peer, header, name, address Shoal must see
      ['127.0.0.1', '203.0.113.9', 'one-hop', '203.0.113.9'],
      // The client wrote 198.51.100.66 itself; 203.0.113.10 is what our (trusted) 127.0.0.10 saw.
      ['127.0.0.1', '198.51.100.66, 203.0.113.10, 127.0.0.10', 'two-hops', '203.0.113.10'],
      // A malformed hop: nothing left of it is believed; the last good hop is the answer.
      ['127.0.0.1', '203.0.113.11, not-an-ip', 'garbled', '127.0.0.1'],
      // An untrusted peer's header is ignored.
      ['127.0.0.3', '203.0.113.12', 'spoofer', '127.0.0.3'],
      ['127.0.0.4', undefined, 'plain', '127.0.0.4'],
    ];
    for (const [from, xff, name] of cases) open.push((await wsFrom(server.port, from, xff, name)).ws);
    const seen = Object.fromEntries(((await run(server.consoleSocket, 'players')) as Array<{ name: string; address: string }>).map((p) => [p.name, p.address]));
    for (const [, , name, address] of cases) expect(seen[name], name).toBe(address);
  });

  it("a ban of the forwarded address disconnects that player, not the proxy's others", async () => {
    const victim = await wsFrom(server.port, '127.0.0.1', '203.0.113.20', 'victim');
    const bystander = await wsFrom(server.port, '127.0.0.1', '203.0.113.21', 'bystander');
    open.push(victim.ws, bystander.ws);
    await run(server.consoleSocket, 'ban', '203.0.113.20');
    await until(() => victim.messages.some((m) => m.t === 'bye' && m.reason === 'banned'), 10_000, 'victim told bye banned');
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("/health's per-address verdict is about the forwarded client", async () => {
    // 127.0.0.5 fills its per-address limit with sockets that say nothing (yet).
    const idle: net.Socket[] = [];
    for (let i = 0; i < CAP; i++) idle.push(net.connect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.5' }).on('error', () => {}));
    try {
      const full = await until(async () => {
        const h = await health(server.port, '127.0.0.1', '127.0.0.5');
        return h.status === 503 ? h : null;
      }, 10_000, '/health 503 for the forwarded full address');
      expect(full.body.reasons).toEqual(['address_full']);
      // From an untrusted peer the header is ignored, and another forwarded client is fine.
      expect((await health(server.port, '127.0.0.3', '127.0.0.5')).status).toBe(200);
      const fine = await health(server.port, '127.0.0.1', '203.0.113.30');
      expect(fine.status).toBe(200);
    } finally {
      for (const sock of idle) sock.destroy();
    }
  });
});

describe('proxy settings at start', () => {
  const start = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      // Should the check be missing, the server would start: on a free port and a scratch directory,
      // and killed by the timeout.
      const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-proxy-settings-'));
      execFile(process.execPath, [MAIN, '--port', '0', '--host', '127.0.0.1', '--data', data, ...args], { timeout: 15_000 }, (error, _out, err) => {
        fs.rmSync(data, { recursive: true, force: true });
        resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, err });
      });
    });

  it('--proxy-protocol without --trusted-proxies, or a bad entry in the list, is a one-line error and exit 2', async () => {
    const a = await start(['--proxy-protocol', 'true']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('proxyProtocol needs trustedProxies');
    const b = await start(['--trusted-proxies', '10.0.0.0/8,10.0.0.300']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('trustedProxies: "10.0.0.300" is not an IP address or CIDR subnet');
    const c = await start(['--trusted-proxies', '10.0.0.0/33']);
    expect(c.code).toBe(2);
  });
});
