// Malformed PROXY headers from the trusted proxy, over real sockets: each gets a clear close (one
// refusal line) or, when the mutation left a well-formed header, is served as a client; the
// primary never crashes and other players are not disturbed. Needs no HAProxy.
import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/protocol/codec.js';
import { FrameReader, frame } from '../../shared/protocol/framing.js';
import { run } from '../console/console-helpers.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { alive, startServer, until, type TestServer } from '../helpers/server.js';

const V2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const GOOD = [
  Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 12345 8000\r\n'),
  Buffer.from('PROXY TCP6 2001:db8::7 ::1 12345 8000\r\n'),
  Buffer.concat([V2, Buffer.from([0x21, 0x11, 0, 16, 203, 0, 113, 8, 127, 0, 0, 1, 0x30, 0x39, 0x1f, 0x40, 4, 0, 1, 0])]),
];

/** Sends bytes from 127.0.0.1 (the trusted proxy); resolves with what came back once it closes or answers. */
function exchange(port: number, bytes: Buffer, split: number): Promise<{ text: string; messages: any[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    const messages: any[] = [];
    let text = '';
    const reader = new FrameReader(1 << 20, (b) => {
      try {
        messages.push(decode(b));
      } catch {
        // a refusal line read as a frame
      }
      if (messages.length) finish(false);
    }, () => {});
    const timer = setTimeout(() => finish(false), 8000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ text, messages, closed });
    };
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      reader.push(c);
    });
    s.on('error', () => {});
    s.on('close', () => finish(true));
    // In two packets: the header parser must also take a header that arrives in pieces.
    s.on('connect', () => {
      s.write(bytes.subarray(0, split));
      setTimeout(() => s.writable && s.write(bytes.subarray(split)), 20);
    });
  });
}

describe('malformed PROXY headers from the trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 1, args: ['--proxy-protocol', 'true', '--trusted-proxies', '127.0.0.1', '--hello-timeout-ms', '3000', '--rooms-per-address-per-minute', '1000'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('each gets a refusal line and a close, or is served; the server and a bystander carry on', async () => {
    // A bystander connected directly from an untrusted address plays throughout.
    const bystander = await RawTcp.connect(server.port, '127.0.0.2');
    bystander.send(hello('bystander', { room: 'fuzzed' }));
    await bystander.next((m) => m.t === 'welcome');
    const pid = server.pid;
    let refused = 0;
    let served = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GOOD),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        async (good, flips, cut, split) => {
          const h = Buffer.from(good);
          for (const [at, byte] of flips) h[at % h.length] = byte;
          // Cut short too, then the client's hello: a header cut short swallows the hello's bytes.
          const header = h.subarray(0, h.length - (cut % 4));
          const bytes = Buffer.concat([header, Buffer.from(frame(encode(hello('fuzz', { room: 'fuzzed' }))))]);
          const r = await exchange(server.port, bytes, split % bytes.length);
          if (r.text.startsWith('PROXY header refused: ')) {
            expect(r.text).toMatch(/^PROXY header refused: [ -~]+\r\n$/);
            expect(r.closed).toBe(true);
            refused++;
          } else {
            // Still well-formed (or its hello was eaten by a longer announced header): a Shoal
            // answer in TCP framing (welcome, or an error such as HELLO_TIMEOUT or BAD_MESSAGE).
            expect(r.messages.length, JSON.stringify(r.text.slice(0, 80))).toBeGreaterThan(0);
            served++;
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(refused).toBeGreaterThan(10);
    expect(alive(pid)).toBe(true);
    bystander.messages.length = 0;
    await bystander.next((m) => m.t === 'state');
    const st = await run(server.consoleSocket, 'status');
    expect(st.totals.refused.proxy).toBe(refused);
    // Every refused or finished socket left the books.
    await until(async () => (await run(server.consoleSocket, 'status')).totals.counted.unclassified === 0, 15_000, 'books empty of unclassified sockets');
    console.log(`PROXY fuzz over sockets: ${refused} refused, ${served} served`);
  });
});
