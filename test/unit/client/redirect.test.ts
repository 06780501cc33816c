// The client library follows REDIRECT by itself, against stand-in hosts on real loopback sockets
// (stand-in-host.ts): the same hello goes to the host `to` names, at once; a loop of hosts is given
// up after maxRedirects (3) with a clear error; a broken `to` is an error, not a guess; resumes
// start at the host it last played on, and go back to its first host when that one is gone.
// Whole-world redirects (real hosts on one Redis, TCP, WS and Chromium) are in test/cluster/.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ShoalClient, clientFaults, type ClientOptions } from '../../../shared/client/client.js';
import { tcpConnector } from '../../../shared/client/tcp-transport.js';
import { wsConnector, type WsConstructor } from '../../../shared/client/ws-transport.js';
import type { ErrorMsg } from '../../../shared/protocol/messages.js';
import { until } from '../../helpers/server.js';
import { standInHost, type StandInHost } from './stand-in-host.js';

const hosts: StandInHost[] = [];
const clients: ShoalClient[] = [];

async function host(kind: 'tcp' | 'ws', answer: StandInHost['answer']): Promise<StandInHost> {
  const h = await standInHost(kind, answer);
  hosts.push(h);
  return h;
}

/** A chain of TCP hosts, each sending the client to the next; the last one seats it. */
async function chain(n: number): Promise<StandInHost[]> {
  const out: StandInHost[] = [];
  for (let i = 0; i < n; i++) out.push(await host('tcp', () => ({ welcome: true })));
  for (let i = 0; i < n - 1; i++) {
    const next = out[i + 1]!;
    out[i]!.answer = () => ({ redirect: next.address });
  }
  return out;
}

function client(first: StandInHost, o: Partial<ClientOptions> = {}): ShoalClient {
  const c = new ShoalClient({ connector: tcpConnector('127.0.0.1', first.port), name: 'ann', ...o });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

describe('client library: REDIRECT', () => {
  it('says the same hello again on the host `to` names, at once, and plays there', async () => {
    const [a, b] = await chain(2);
    // A back-off this long would show: the redirect must not wait for it.
    const c = client(a!, { room: 'reef', token: 'tok-x', auth: 'jwt-y', game: 'arena', backoffMinMs: 20_000, backoffMaxMs: 20_000 });
    const seen: string[] = [];
    c.on('redirect', (to, m) => seen.push(`${to} ${m.code}`));
    const started = Date.now();
    const w = await c.connect();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(w.room).toBe('reef');
    expect(c.status).toBe('joined');
    expect(c.address).toBe(b!.address);
    expect(c.redirects).toBe(1);
    expect(seen).toEqual([`${b!.address} REDIRECT`]);
    expect(a!.hellos).toHaveLength(1);
    expect(b!.hellos).toHaveLength(1);
    expect(b!.hellos[0]!.hello).toEqual(a!.hellos[0]!.hello);
    expect(b!.hellos[0]!.hello).toMatchObject({ t: 'hello', v: 1, name: 'ann', room: 'reef', token: 'tok-x', auth: 'jwt-y', game: 'arena' });
  });

  it('follows up to 3 REDIRECTs in a row', async () => {
    const hs = await chain(4);
    const c = client(hs[0]!);
    await c.connect();
    expect(c.address).toBe(hs[3]!.address);
    expect(hs.map((h) => h.hellos.length)).toEqual([1, 1, 1, 1]);
  });

  it('gives up on a 4th REDIRECT in a row with a clear error event, and goes no further', async () => {
    const hs = await chain(5);
    const c = client(hs[0]!);
    const errors: ErrorMsg[] = [];
    c.on('error', (m) => errors.push(m));
    await expect(c.connect()).rejects.toMatchObject({ code: 'REDIRECT', message: expect.stringContaining('gave up after following 3 REDIRECTs in a row') });
    expect(hs.map((h) => h.hellos.length)).toEqual([1, 1, 1, 1, 0]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'REDIRECT', fatal: true, to: hs[4]!.address });
    expect(errors[0]!.message).toContain(hs[3]!.address);
    expect(c.endReason).toBe('REDIRECT');
    await until(() => c.status === 'closed', 5000, 'status closed');
  });

  it('the limit is a setting (maxRedirects)', async () => {
    const hs = await chain(3);
    await expect(client(hs[0]!, { maxRedirects: 1 }).connect()).rejects.toMatchObject({ code: 'REDIRECT' });
    expect(hs.map((h) => h.hellos.length)).toEqual([1, 1, 0]);
  });

  it('a REDIRECT without a usable HOST:PORT is an error, not a guess', async () => {
    for (const to of [undefined, 'nowhere', 'host:0', 'a b:80']) {
      const a = await host('tcp', () => ({ redirect: to }));
      const c = client(a);
      const errors: ErrorMsg[] = [];
      c.on('error', (m) => errors.push(m));
      await expect(c.connect()).rejects.toMatchObject({ code: 'REDIRECT', message: expect.stringContaining('without a usable HOST:PORT') });
      expect(errors.map((e) => e.code)).toEqual(['REDIRECT']);
      expect(c.address).toBeUndefined();
      expect(a.hellos).toHaveLength(1);
    }
  });

  it('a resume after a drop starts at the host it last played on', async () => {
    const [a, b] = await chain(2);
    const c = client(a!, { room: 'reef', backoffMinMs: 10 });
    const w = await c.connect();
    clientFaults.drop(c);
    await until(() => c.reconnects === 1 && c.status === 'joined', 10_000, 'resumed');
    expect(a!.hellos).toHaveLength(1);
    expect(b!.hellos).toHaveLength(2);
    expect(b!.hellos[1]!.hello).toMatchObject({ name: 'ann', room: 'reef', token: w.token });
    expect(c.address).toBe(b!.address);
  });

  it('a resume that meets a REDIRECT follows it', async () => {
    const a = await host('tcp', () => ({ welcome: true }));
    const b = await host('tcp', () => ({ welcome: true }));
    const c = client(a, { room: 'reef', backoffMinMs: 10 });
    const w = await c.connect();
    expect(c.address).toBeUndefined();
    // The room moved to b while the player was away.
    a.answer = () => ({ redirect: b.address });
    clientFaults.drop(c);
    await until(() => c.reconnects === 1 && c.status === 'joined', 10_000, 'resumed');
    expect(c.address).toBe(b.address);
    expect(b.hellos[0]!.hello).toMatchObject({ room: 'reef', token: w.token });
  });

  it('a resume that meets a loop of REDIRECTs gives up that try and tries again with its back-off', async () => {
    const home = await host('tcp', () => ({ welcome: true }));
    const c = client(home, { room: 'reef', backoffMinMs: 50, backoffMaxMs: 200 });
    await c.connect();
    const errors: ErrorMsg[] = [];
    // The world is in a muddle: home sends the player round a loop of two hosts.
    const [x, y] = await chain(2);
    /** Hellos said since the drop, counted at each give-up. */
    const saidAtGiveUp: number[] = [];
    c.on('error', (m) => {
      errors.push(m);
      saidAtGiveUp.push(home.hellos.length - 1 + x!.hellos.length + y!.hellos.length);
    });
    x!.answer = () => ({ redirect: y!.address });
    y!.answer = () => ({ redirect: x!.address });
    home.answer = () => ({ redirect: x!.address });
    clientFaults.drop(c);
    await until(() => errors.length >= 2, 10_000, 'two tries given up');
    expect(c.status).toBe('reconnecting');
    expect(errors.every((e) => e.code === 'REDIRECT' && e.message.includes('gave up after following 3'))).toBe(true);
    // Each try says 4 hellos (the first and 3 REDIRECTs followed), and no 5th.
    expect(saidAtGiveUp.slice(0, 2)).toEqual([4, 8]);
    // Sorted out: the next try plays.
    for (const h of [home, x!, y!]) h.answer = () => ({ welcome: true });
    await until(() => c.status === 'joined', 10_000, 'resumed once the hosts agree');
    expect(c.reconnects).toBe(1);
  });

  it('when the host it played on is gone, the resume asks its first host again', async () => {
    const [a, b] = await chain(2);
    const c = client(a!, { room: 'reef', backoffMinMs: 10 });
    const w = await c.connect();
    // b dies; its room now runs on a (a took it over).
    a!.answer = () => ({ welcome: true });
    await b!.close();
    await until(() => c.reconnects === 1 && c.status === 'joined', 15_000, 'resumed on the first host');
    expect(a!.hellos).toHaveLength(2);
    expect(a!.hellos[1]!.hello).toMatchObject({ room: 'reef', token: w.token });
    expect(c.address).toBeUndefined();
  });

  it('starts at the host it is given (where it played before a reload); gone, at its first host', async () => {
    const a = await host('tcp', () => ({ welcome: true }));
    const b = await host('tcp', () => ({ welcome: true }));
    const c = client(a, { room: 'reef', token: 'tok-x', address: b.address });
    await c.connect();
    expect([a.hellos.length, b.hellos.length]).toEqual([0, 1]);
    expect(c.address).toBe(b.address);
    c.close();

    await b.close();
    const d = client(a, { room: 'reef', token: 'tok-x', address: b.address });
    await d.connect();
    expect(a.hellos[0]!.hello).toMatchObject({ room: 'reef', token: 'tok-x' });
    expect(d.address).toBeUndefined();
    expect(d.redirects).toBe(0);
  });

  it('a host a REDIRECT names that cannot be reached fails the join (no going round)', async () => {
    const b = await host('tcp', () => ({ welcome: true }));
    const gone = b.address;
    await b.close();
    const a = await host('tcp', () => ({ redirect: gone }));
    const c = client(a);
    await expect(c.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(a.hellos).toHaveLength(1);
  });

  it('over WebSocket: the same scheme and path on the named host, with the same query and hello', async () => {
    const b = await host('ws', () => ({ welcome: true }));
    const a = await host('ws', () => ({ redirect: b.address }));
    const c = new ShoalClient({
      connector: wsConnector(`ws://127.0.0.1:${a.port}/ws`, WebSocket as unknown as WsConstructor),
      name: 'ann', room: 'reef', token: 'tok-x', game: 'arena',
    });
    clients.push(c);
    await c.connect();
    expect(c.address).toBe(b.address);
    expect(a.hellos[0]!.url).toBe('/ws?room=reef&token=tok-x&game=arena');
    expect(b.hellos[0]!.url).toBe('/ws?room=reef&token=tok-x&game=arena');
    expect(b.hellos[0]!.hello).toEqual(a.hellos[0]!.hello);
  });
});
