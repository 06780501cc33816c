// The lean client's socket reads every socket into one shared buffer and copies only a message cut
// by the end of a read: over real loopback sockets, messages split into pieces (header and body
// cut anywhere), packed several to a write, or longer than the shared read buffer arrive whole and
// byte for byte, on TCP and WebSocket; a WebSocket ping is answered; and the state emitter baseline
// serves the lean client every state of every tick on both transports.
import net from 'node:net';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LeanSocket, type LeanTransport } from '../../loadtest/lean/lean-socket.js';
import { runLean } from '../../loadtest/lean/run.js';
import { startStateEmitter } from '../../loadtest/start-state-emitter.js';
import type { RunningServer } from '../../loadtest/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Messages of many sizes, 70,000 bytes among them (more than the 64 KiB shared read buffer). */
const BODIES = [5, 1, 125, 126, 300, 65_535, 70_000, 17, 2].map((n, i) => crypto.randomBytes(n).fill(i, 0, 1));

function tcpFrame(b: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

function wsFrame(op: number, b: Buffer): Buffer {
  const n = b.length;
  const h = n < 126 ? Buffer.from([0x80 | op, n]) : n < 65536 ? Buffer.from([0x80 | op, 126, n >> 8, n & 255]) : Buffer.alloc(10);
  if (n >= 65536) {
    h[0] = 0x80 | op;
    h[1] = 127;
    h.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([h, b]);
}

/** A server that sends `bytes` in pieces cut at `cuts` (each piece its own write, 15 ms apart). */
function piecewiseServer(transport: LeanTransport, bytes: Buffer, cuts: number[], got: Buffer[]): Promise<{ port: number; close(): void }> {
  return new Promise((resolve) => {
    const srv = net.createServer((sock) => {
      sock.setNoDelay(true);
      const send = async () => {
        let at = 0;
        for (const c of [...cuts, bytes.length]) {
          sock.write(bytes.subarray(at, c));
          at = c;
          await sleep(15);
        }
      };
      if (transport === 'tcp') return void send();
      let head = '';
      sock.on('data', (d: Buffer) => {
        if (head.includes('\r\n\r\n')) return void got.push(d);
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const key = /sec-websocket-key: (\S+)/i.exec(head)![1]!;
        const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        // The upgrade answer and the first bytes of the frames in one write.
        const answer = Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        bytes = Buffer.concat([answer, bytes]);
        cuts = cuts.map((c) => c + answer.length);
        void send();
      });
    });
    srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as net.AddressInfo).port, close: () => srv.close() }));
  });
}

async function receive(transport: LeanTransport, bytes: Buffer, cuts: number[], count: number): Promise<{ messages: Buffer[]; fromServer: Buffer[] }> {
  const fromServer: Buffer[] = [];
  const srv = await piecewiseServer(transport, bytes, cuts, fromServer);
  const messages: Buffer[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const s = await LeanSocket.open(transport, '127.0.0.1', srv.port, {
    onMessage(buf, start, len) {
      messages.push(Buffer.from(buf.subarray(start, start + len)));
      if (messages.length === count) done();
    },
    onClose() {},
  });
  await Promise.race([all, sleep(5000)]);
  await sleep(30);
  s.close();
  srv.close();
  return { messages, fromServer };
}

describe('lean socket reads', () => {
  // Cuts inside a header, right after a header, inside bodies, and several frames in one piece.
  const cutsOf = (frames: Buffer[]) => {
    const ends = frames.map((_, i) => frames.slice(0, i + 1).reduce((n, f) => n + f.length, 0));
    return [...new Set([2, 4, 9, ends[1]! + 1, ends[3]! + 3, ends[4]! + 40_000, ends[5]! + 100, ends[5]! + 65_000, ends[7]!])].sort((a, b) => a - b);
  };

  it('hands over whole TCP messages, byte for byte, however the stream is cut', async () => {
    const frames = BODIES.map(tcpFrame);
    const { messages } = await receive('tcp', Buffer.concat(frames), cutsOf(frames), BODIES.length);
    expect(messages.length).toBe(BODIES.length);
    messages.forEach((m, i) => expect(m.equals(BODIES[i]!)).toBe(true));
  });

  it('hands over whole WebSocket messages and answers a ping, however the stream is cut', async () => {
    const ping = Buffer.from('are you there');
    const frames = [...BODIES.slice(0, 4).map((b) => wsFrame(0x2, b)), wsFrame(0x9, ping), ...BODIES.slice(4).map((b) => wsFrame(0x2, b))];
    const { messages, fromServer } = await receive('ws', Buffer.concat(frames), cutsOf(frames), BODIES.length);
    expect(messages.length).toBe(BODIES.length);
    messages.forEach((m, i) => expect(m.equals(BODIES[i]!)).toBe(true));
    // The pong: FIN + opcode 0xA, masked (zero mask), the ping's payload.
    const pong = Buffer.concat(fromServer);
    expect([...pong.subarray(0, 6)]).toEqual([0x8a, 0x80 | ping.length, 0, 0, 0, 0]);
    expect(pong.subarray(6).equals(ping)).toBe(true);
  });
});

describe('state emitter baseline', () => {
  let s: RunningServer | undefined;
  afterAll(async () => {
    await s?.stop();
  });

  it('serves the lean client a state every tick and a pong for every ping, on TCP and WebSocket', async () => {
    s = await startStateEmitter(0);
    const r = await runLean({
      host: '127.0.0.1', port: s.port, players: 40, transport: 'mix', seconds: 2, warmupSeconds: 1,
      inputHz: 10, pingHz: 1, rampPerSecond: 1000, serverPid: s.proc.pid,
    });
    expect(r.joined).toBe(40);
    expect(r.errors).toEqual({});
    expect(r.hz).toBe(20);
    // 40 players x 20 Hz x ~2 s; a loaded machine may delay a few ticks, never most of them.
    expect(r.statesExpected).toBeGreaterThan(1500);
    expect(r.delivered).toBeGreaterThan(0.9);
    expect(r.delivered).toBeLessThanOrEqual(1.05);
    // One ping a second each, sent in the same write as an input: every one answered.
    expect(r.pongs).toBeGreaterThanOrEqual(70);
    expect(r.writesQueued).toBe(0);
  });
});
