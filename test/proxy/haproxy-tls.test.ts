// Shoal behind a real HAProxy that terminates TLS and speaks PROXY v2: the configuration is the one
// docs/DEPLOY.md gives (read from it, addresses and paths swapped for the test's). Clients connect
// from their own loopback addresses, so Shoal must see 127.0.0.2, not HAProxy's 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { run } from '../console/console-helpers.js';
import { hello } from '../helpers/raw.js';
import { freePort, sleep, startServer, until, type TestServer } from '../helpers/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

function skipReason(): string | null {
  const missing = ['haproxy', 'openssl'].filter((b) => {
    try {
      execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return null;
  if (inCI) throw new Error(`haproxy-tls.test.ts: CI but ${missing.join(', ')} missing (scripts/test-deps.txt)`);
  const reason = `haproxy-tls.test.ts: SKIPPED, ${missing.join(', ')} not found (apt-get install haproxy openssl)`;
  console.warn(`\n*** ${reason}\n`);
  return reason;
}
const skip = skipReason();

/** The haproxy block of docs/DEPLOY.md, pointed at this test's ports, certificate and socket. */
function haproxyConfig(o: { tls: number; plain: number; shoal: number; pem: string; stats: string }): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/DEPLOY.md'), 'utf8');
  const m = /<!-- haproxy\.cfg:[^\n]*-->\n```haproxy\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/DEPLOY.md has no marked haproxy block');
  const cfg = m[1]!
    .replace('bind :443 ssl crt /etc/haproxy/shoal.pem', `bind 127.0.0.1:${o.tls} ssl crt ${o.pem}`)
    .replace('bind :8000', `bind 127.0.0.1:${o.plain}`)
    .replace('server shoal1 10.0.0.11:8000', `server shoal1 127.0.0.1:${o.shoal}`)
    .replace('stats socket /run/haproxy/shoal.sock', `stats socket ${o.stats}`)
    // 50000 needs an FD limit of about 100k, more than a test machine may allow.
    .replace('maxconn 50000', 'maxconn 2000');
  for (const s of [String(o.tls), String(o.plain), String(o.shoal), o.pem, o.stats]) if (!cfg.includes(s)) throw new Error(`DEPLOY.md's haproxy block changed: ${s} not placed`);
  return cfg;
}

/** A game client speaking Shoal's length-prefixed framing over any stream (TLS or plain TCP). */
class Framed {
  readonly messages: any[] = [];
  closed = false;
  text = '';
  private wakers: Array<() => void> = [];
  constructor(readonly sock: net.Socket) {
    const reader = new FrameReader(1 << 24, (b) => {
      this.messages.push(decode(b));
      this.wake();
    }, () => {});
    sock.on('data', (c: Buffer) => {
      this.text += c.toString('latin1');
      reader.push(c);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }
  static tls(port: number, from: string): Promise<Framed> {
    return new Promise((resolve, reject) => {
      // localAddress reaches net.connect underneath (@types/node leaves it out of tls's options).
      const options: tls.ConnectionOptions & { localAddress: string } = { host: '127.0.0.1', port, localAddress: from, rejectUnauthorized: false };
      const s = tls.connect(options);
      s.once('secureConnect', () => resolve(new Framed(s)));
      s.once('error', reject);
    });
  }
  static tcp(port: number, from: string, first?: Buffer | string): Promise<Framed> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
      s.once('connect', () => {
        const f = new Framed(s);
        if (first !== undefined) s.write(first);
        resolve(f);
      });
      s.once('error', reject);
    });
  }
  private wake(): void {
    for (const w of this.wakers.splice(0)) w();
  }
  send(m: unknown): void {
    this.sock.write(frame(encode(m)));
  }
  async next(t: string, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => m.t === t);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (this.closed) throw new Error(`closed before ${t}; got ${JSON.stringify(this.messages)} ${JSON.stringify(this.text.slice(0, 200))}`);
      if (Date.now() > deadline) throw new Error(`no ${t} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 100);
        this.wakers.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }
  waitClosed(timeoutMs = 10_000): Promise<void> {
    return until(() => this.closed, timeoutMs, 'connection closed').then(() => undefined);
  }
  close(): void {
    this.sock.destroy();
  }
}

function wss(port: number, from: string): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false, localAddress: from });
    const messages: any[] = [];
    ws.on('message', (d: Buffer) => messages.push(decode(d)));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

function httpsGet(port: number, p: string, from: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: p, localAddress: from, rejectUnauthorized: false, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
      })
      .on('error', reject);
  });
}

/** One command on HAProxy's admin socket. */
function haproxyCmd(sock: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(sock);
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.on('connect', () => s.write(cmd + '\n'));
  });
}

/** shoal1's row of HAProxy's `show stat`: status (UP/DOWN) and failed checks. */
async function backendState(sock: string): Promise<{ status: string; chkfail: number }> {
  const csv = (await haproxyCmd(sock, 'show stat')).split('\n');
  const cols = csv[0]!.replace(/^# /, '').split(',');
  const row = csv.find((l) => l.startsWith('shoal,shoal1,'))!.split(',');
  return { status: row[cols.indexOf('status')]!, chkfail: Number(row[cols.indexOf('chkfail')]) };
}

describe.skipIf(skip !== null)('behind HAProxy: TLS for every client on one port, PROXY v2 to Shoal', () => {
  let server: TestServer;
  let haproxy: ChildProcess | undefined;
  let haproxyOut = '';
  let dir: string;
  let tlsPort: number;
  let plainPort: number;
  let stats: string;
  const open: Array<{ close(): void }> = [];
  const players = async () => (await run(server.consoleSocket, 'players')) as Array<{ name: string; address: string; transport: string }>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-haproxy-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const pem = path.join(dir, 'shoal.pem');
    fs.writeFileSync(pem, fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'));
    server = await startServer({
      workers: 2,
      args: ['--proxy-protocol', 'true', '--trusted-proxies', '127.0.0.1/32', '--max-connections-per-address', '3', '--refusals-per-address', '4'],
    });
    tlsPort = await freePort();
    plainPort = await freePort();
    stats = path.join(dir, 'haproxy.sock');
    const cfg = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, haproxyConfig({ tls: tlsPort, plain: plainPort, shoal: server.port, pem, stats }));
    haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    haproxy.stdout!.on('data', (d) => (haproxyOut += d));
    haproxy.stderr!.on('data', (d) => (haproxyOut += d));
    // HAProxy listening and its health check of Shoal passing.
    await until(async () => {
      if (haproxy!.exitCode !== null) throw new Error(`haproxy exited ${haproxy!.exitCode}: ${haproxyOut}`);
      try {
        return (await backendState(stats)).status === 'UP' && (await httpsGet(tlsPort, '/health', '127.0.0.4')).status === 200;
      } catch {
        return false;
      }
    }, 30_000, 'HAProxy up with Shoal healthy');
  });

  afterAll(async () => {
    for (const c of open) c.close();
    if (haproxy && haproxy.exitCode === null) {
      haproxy.kill('SIGTERM');
      await Promise.race([new Promise((r) => haproxy!.once('exit', r)), sleep(5000)]);
      if (haproxy.exitCode === null) haproxy.kill('SIGKILL');
    }
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a TCP game client over TLS, a WSS client, a plain TCP client and HTTPS /health all work, each under its own address', async () => {
    const alice = await Framed.tls(tlsPort, '127.0.0.2');
    open.push(alice);
    alice.send(hello('alice', { room: 'proxied' }));
    expect((await alice.next('welcome')).room).toBe('proxied');

    const bob = await wss(tlsPort, '127.0.0.3');
    open.push(bob.ws);
    bob.ws.send(encode(hello('bob', { room: 'proxied' })));
    await until(() => bob.messages.some((m) => m.t === 'welcome'), 10_000, 'bob welcomed over WSS');

    const carol = await Framed.tcp(plainPort, '127.0.0.5');
    open.push(carol);
    carol.send(hello('carol', { room: 'proxied' }));
    await carol.next('welcome');

    const h = await httpsGet(tlsPort, '/health', '127.0.0.4');
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');

    const byName = Object.fromEntries((await players()).map((p) => [p.name, p]));
    expect(byName.alice).toMatchObject({ address: '127.0.0.2', transport: 'tcp' });
    expect(byName.bob).toMatchObject({ address: '127.0.0.3', transport: 'ws' });
    expect(byName.carol).toMatchObject({ address: '127.0.0.5', transport: 'tcp' });
    const room = await run(server.consoleSocket, 'room', 'proxied');
    expect(room.players.map((p: { address: string }) => p.address).sort()).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.5']);
  });

  it('the per-address limit counts the client behind HAProxy, not HAProxy', async () => {
    // HAProxy's own address holds more than 3 connections now; 127.0.0.7 gets exactly 3.
    const seven: Framed[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await Framed.tls(tlsPort, '127.0.0.7');
      open.push(c);
      c.send(hello(`seven${i}`, { room: 'proxied' }));
      await c.next('welcome');
      seven.push(c);
    }
    const fourth = await Framed.tls(tlsPort, '127.0.0.7');
    open.push(fourth);
    fourth.send(hello('seven3', { room: 'proxied' }));
    expect((await fourth.next('error')).code).toBe('SERVER_FULL');
    // Another client through the same HAProxy still joins.
    const other = await Framed.tls(tlsPort, '127.0.0.8');
    open.push(other);
    other.send(hello('eight', { room: 'proxied' }));
    await other.next('welcome');
    for (const c of [...seven, fourth, other]) c.close();
  });

  it('a ban of a client address refuses that client through HAProxy while another plays on', async () => {
    const alice = open[0] as Framed;
    const bob = open[1] as unknown as WebSocket;
    await run(server.consoleSocket, 'ban', '127.0.0.2');
    expect((await alice.next('bye')).reason).toBe('banned');

    const again = await Framed.tls(tlsPort, '127.0.0.2');
    open.push(again);
    again.send(hello('alice2', { room: 'proxied' }));
    await again.waitClosed();
    expect(again.messages.some((m) => m.t === 'welcome')).toBe(false);

    expect(bob.readyState).toBe(WebSocket.OPEN);
    const dave = await Framed.tls(tlsPort, '127.0.0.3');
    open.push(dave);
    dave.send(hello('dave', { room: 'proxied' }));
    await dave.next('welcome');
    await dave.next('state');
  });

  it("a ban of HAProxy's own address locks nobody out (its health checks pass, clients join)", async () => {
    const before = await backendState(stats);
    await run(server.consoleSocket, 'ban', '127.0.0.1');
    // inter 2s, fall 2: failing checks would take the server down within ~4 s.
    await sleep(5000);
    const after = await backendState(stats);
    expect(after.status).toBe('UP');
    expect(after.chkfail).toBe(before.chkfail);
    const erin = await Framed.tls(tlsPort, '127.0.0.9');
    open.push(erin);
    erin.send(hello('erin', { room: 'proxied' }));
    await erin.next('welcome');
    expect((await httpsGet(tlsPort, '/health', '127.0.0.4')).status).toBe(200);
    await run(server.consoleSocket, 'unban', '127.0.0.1');
  });

  it('a PROXY header sent directly from an untrusted address is refused; a malformed or missing one from the trusted proxy gets a clear close', async () => {
    const refusedBefore = (await run(server.consoleSocket, 'status')).totals.refused.proxy as number;
    const helloBytes = Buffer.from(frame(encode(hello('spoof', { room: 'proxied' }))));
    const v2 = Buffer.concat([
      Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c]),
      Buffer.from([9, 9, 9, 9, 127, 0, 0, 1, 0, 1, 0, 2]),
    ]);
    const cases: Array<[string, Buffer, string]> = [
      ['127.0.0.6', Buffer.concat([Buffer.from('PROXY TCP4 9.9.9.9 127.0.0.1 1 2\r\n'), helloBytes]), 'PROXY header refused: not sent from a trusted proxy'],
      ['127.0.0.6', Buffer.concat([v2, helloBytes]), 'PROXY header refused: not sent from a trusted proxy'],
      ['127.0.0.1', Buffer.from('PROXY TCP4 1.2.3.4.5 127.0.0.1 1 2\r\n'), 'PROXY header refused: PROXY v1 addresses are not TCP4'],
      ['127.0.0.1', Buffer.from('PROXY TCP4 ' + '1'.repeat(120)), 'PROXY header refused: PROXY v1 line longer than 107 bytes'],
      ['127.0.0.1', helloBytes, 'PROXY header refused: no PROXY header'],
    ];
    for (const [from, bytes, line] of cases) {
      const c = await Framed.tcp(server.port, from, bytes);
      await c.waitClosed();
      expect(c.text, `${from} ${JSON.stringify(bytes.subarray(0, 20).toString('latin1'))}`).toBe(line + '\r\n');
      expect(c.messages).toEqual([]);
    }
    expect((await run(server.consoleSocket, 'status')).totals.refused.proxy).toBe(refusedBefore + cases.length);

    // The trusted proxy's well-formed v1 header is taken; an untrusted peer without one plays as itself.
    const viaV1 = await Framed.tcp(server.port, '127.0.0.1', Buffer.concat([Buffer.from('PROXY TCP4 198.51.100.7 127.0.0.1 4000 8000\r\n'), Buffer.from(frame(encode(hello('frank', { room: 'proxied' }))))]));
    open.push(viaV1);
    await viaV1.next('welcome');
    const direct = await Framed.tcp(server.port, '127.0.0.6', Buffer.from(frame(encode(hello('grace', { room: 'proxied' })))));
    open.push(direct);
    await direct.next('welcome');
    const byName = Object.fromEntries((await players()).map((p) => [p.name, p.address]));
    expect(byName.frank).toBe('198.51.100.7');
    expect(byName.grace).toBe('127.0.0.6');
  });
  it('a console `shutdown SECONDS` drains the host: HAProxy marks it down, players in play on, newcomers are not sent; `shutdown cancel` brings it back', async () => {
    const hank = await Framed.tls(tlsPort, '127.0.0.11');
    open.push(hank);
    hank.send(hello('hank', { room: 'proxied' }));
    await hank.next('welcome');
    await run(server.consoleSocket, 'shutdown', '120');
    // inter 2s, fall 2: down after two failed checks.
    await until(async () => (await backendState(stats)).status === 'DOWN', 20_000, 'HAProxy marks Shoal down');
    hank.messages.length = 0;
    await hank.next('state');
    // HAProxy still terminates TLS, then has no server to send it to and closes.
    const late = await Framed.tls(tlsPort, '127.0.0.12');
    open.push(late);
    late.send(hello('late', { room: 'proxied' }));
    await late.waitClosed();
    expect(late.messages.some((m) => m.t === 'welcome')).toBe(false);
    await run(server.consoleSocket, 'shutdown', 'cancel');
    await until(async () => (await backendState(stats)).status === 'UP', 20_000, 'HAProxy marks Shoal up again');
    const back = await Framed.tls(tlsPort, '127.0.0.12');
    open.push(back);
    back.send(hello('back', { room: 'proxied' }));
    await back.next('welcome');
  });
});
