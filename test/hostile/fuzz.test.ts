// Property-based fuzzing: random and mutated frames thrown at TCP and WebSocket connections for a
// bounded time. No process may crash, memory stays bounded, and a player beside it keeps playing.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { startServer, logLines, sleep, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';

const FUZZ_MS = Number(process.env.SHOAL_FUZZ_MS ?? 12_000);
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--max-msg-rate', '5000', '--rate-limit-close-after', '100000'] });
});
afterAll(async () => {
  await server?.stop();
});

function rssKb(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim());
}
function childPids(pid: number): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split('\n').map((s) => Number(s.trim())).filter(Boolean);
}

// Messages that are almost right: the shapes a broken or hostile client sends.
const anyValue = fc.oneof(
  fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null),
  fc.array(fc.integer(), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
  fc.uint8Array({ maxLength: 16 }),
);
const nearMessage = fc.record({
  t: fc.oneof(fc.constantFrom('hello', 'input', 'chat', 'ping', 'top', 'leave', 'bogus', ''), anyValue),
  v: anyValue, name: anyValue, room: anyValue, token: anyValue, seq: anyValue, dx: anyValue, dy: anyValue,
  text: anyValue, scope: anyValue, id: anyValue,
}, { requiredKeys: [] });
const valid = fc.constantFrom(
  encode({ t: 'ping', id: 1 }), encode({ t: 'input', seq: 1, dx: 0.5, dy: -0.5 }), encode({ t: 'chat', text: 'hi' }), encode(hello('fz')),
);
const body = fc.oneof(
  nearMessage.map((m) => encode(m)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  // A valid message with some bytes flipped or cut.
  fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, i, v]) => {
    const out = Uint8Array.from(b);
    out[i % out.length] = v;
    return out;
  }),
  fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % b.length)),
);

it('survives random and mutated frames on TCP and WebSocket', async () => {
  const watcher = server.client({ transport: 'tcp', name: 'watcher', room: 'fuzz-watch' });
  await watcher.connect();
  let watcherDropped = false;
  watcher.on('status', (s) => {
    if (s !== 'joined') watcherDropped = true;
  });
  const workers = childPids(server.pid);
  const rssBefore = workers.map(rssKb);

  const deadline = Date.now() + FUZZ_MS;
  let runs = 0;
  let frames = 0;
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.boolean(), fc.array(body, { minLength: 1, maxLength: 30 }), async (useWs, join, bodies) => {
      if (Date.now() > deadline) return;
      runs++;
      frames += bodies.length;
      if (useWs) {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
        ws.on('error', () => {});
        await new Promise<void>((r) => {
          ws.once('open', () => r());
          ws.once('close', () => r());
        });
        if (ws.readyState === 1) {
          if (join) ws.send(encode(hello('fz')));
          for (const b of bodies) ws.send(b);
        }
        await sleep(5);
        ws.terminate();
      } else {
        const c = await RawTcp.connect(server.port);
        if (join) c.send(hello('fz'));
        for (const b of bodies) c.write(frame(b));
        // Sometimes a raw, unframed tail too.
        if (bodies.length % 3 === 0) c.write(bodies[0]!);
        await sleep(5);
        c.close();
      }
    }),
    { numRuns: 100_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false },
  );
  await sleep(500);
  // Nothing crashed: no restarts, the same processes, the watcher untouched and playing.
  expect(logLines(server).filter((l) => l.code === 'WORKER_EXITED' || l.code === 'COORDINATOR_EXITED')).toEqual([]);
  expect(childPids(server.pid)).toEqual(workers);
  expect(watcherDropped).toBe(false);
  expect(await watcher.ping()).toBeGreaterThan(0);
  const rssAfter = workers.map(rssKb);
  for (const [i, kb] of rssAfter.entries()) expect(kb).toBeLessThan(rssBefore[i]! + 150 * 1024);
  console.log(`[figure] fuzz: ${runs} connections, ${frames} random/mutated frames in ${FUZZ_MS} ms; 0 crashes; RSS ${rssBefore.map((k) => (k / 1024).toFixed(0)).join('/')} -> ${rssAfter.map((k) => (k / 1024).toFixed(0)).join('/')} MB`);
  watcher.close();
}, 120_000);
