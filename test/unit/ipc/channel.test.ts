// The typed Channel (shared/ipc/channel.ts) over a real socket pair in one process: a typed op
// map, requests and answers, a handler's coded error, pushes narrowed by topic, the time limit and
// rejecting what waits when the far end goes away.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Channel, type OpHandlers, type PushOf } from '../../../shared/ipc/channel.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

type Ops = {
  add: [{ a: number; b: number }, number];
  echo: [{ text: string }, { text: string; at: number }];
  slow: [{ ms: number }, true];
  fail: [Record<string, never>, never];
};
type Pushes = {
  note: { text: string };
  pair: [string, number];
};

const open: Array<net.Server | net.Socket> = [];

/** A server end serving `handlers` and a client end, connected over a real loopback socket. */
async function pair(handlers: OpHandlers<Ops, Channel<Ops, Pushes>>) {
  const pushes: Array<PushOf<Pushes>> = [];
  let server!: Channel<Ops, Pushes>;
  const srv = net.createServer((sock) => {
    open.push(sock);
    server = new Channel<Ops, Pushes>(sock, (op, args, ch) => {
      const fn = handlers[op as keyof Ops] as (a: unknown, c: Channel<Ops, Pushes>) => unknown;
      if (!fn) throw new CodedError('UNKNOWN_OP', op);
      return fn(args, ch);
    }, null);
  });
  open.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const sock = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
  open.push(sock);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const client = new Channel<Ops, Pushes>(sock, null, (...p) => pushes.push(p));
  while (!server) await new Promise((r) => setTimeout(r, 5));
  return { client, server, pushes };
}

const handlers: OpHandlers<Ops, Channel<Ops, Pushes>> = {
  add: (a) => a.a + a.b,
  echo: (a) => Promise.resolve({ text: a.text, at: 7 }),
  slow: (a) => new Promise((r) => setTimeout(() => r(true), a.ms)),
  fail: () => {
    throw new CodedError('REFUSED', 'not today');
  },
};

afterEach(() => {
  for (const o of open.splice(0)) {
    if (o instanceof net.Socket) o.destroy();
    else o.close();
  }
});

describe('Channel (typed, over a socket)', () => {
  it('round-trips typed requests, sync and async, many in one turn', async () => {
    const { client } = await pair(handlers);
    const sums = await Promise.all(Array.from({ length: 50 }, (_, i) => client.request('add', { a: i, b: 1000 })));
    expect(sums).toEqual(Array.from({ length: 50 }, (_, i) => i + 1000));
    const e = await client.request('echo', { text: 'hi' });
    expect(e).toEqual({ text: 'hi', at: 7 });
    expect(client.messagesOut).toBe(51);
  });

  it('a handler\'s CodedError reaches the caller with its code', async () => {
    const { client } = await pair(handlers);
    await expect(client.request('fail', {})).rejects.toMatchObject({ code: 'REFUSED', message: 'not today' });
  });

  it('pushes arrive in order with their topic and payload', async () => {
    const { client, server, pushes } = await pair(handlers);
    server.push('note', { text: 'a' });
    server.push('pair', ['x', 2]);
    await client.request('add', { a: 0, b: 0 }); // a round trip: the pushes went out before its answer
    expect(pushes).toEqual([['note', { text: 'a' }], ['pair', ['x', 2]]]);
  });

  it('times out with CHANNEL_TIMEOUT naming the op', async () => {
    const { client } = await pair(handlers);
    await expect(client.request('slow', { ms: 500 }, 50)).rejects.toMatchObject({ code: 'CHANNEL_TIMEOUT', message: 'slow got no answer within 50 ms' });
  });

  it('rejects what waits with CHANNEL_CLOSED when the far end goes away, and refuses new requests', async () => {
    const { client, server } = await pair(handlers);
    const waiting = client.request('slow', { ms: 5000 });
    await new Promise((r) => setTimeout(r, 20));
    server.destroy();
    await expect(waiting).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' });
    expect(client.closed).toBe(true);
    await expect(client.request('add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'CHANNEL_CLOSED' });
  });
});
