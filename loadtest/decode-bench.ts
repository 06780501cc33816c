// Micro-bench of the per-message decode: msgpackr's Unpackr (the codec before the strict decoder)
// against shared/protocol's strict decoder, on the messages clients really send (encoded by the
// client library's codec) and on the server messages the client library decodes. Runs both in
// this one process, alternating rounds so machine load hits both alike; reports the median of
// the rounds in ns per message and writes loadtest/results/<date>-decode.{json,md}.
//
//   npm run build && node dist/loadtest/decode-bench.js [--rounds 7] [--ms 300]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Unpackr } from 'msgpackr';
import { encode } from '../shared/protocol/codec.js';
import { decodeStrict } from '../shared/protocol/decoder.js';
import { parseClientMessage } from '../shared/protocol/validate.js';
import { describeMachine, machine } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.resolve(here, '../../loadtest/results');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const rounds = Number(arg('rounds', '7'));
const roundMs = Number(arg('ms', '300'));

// The options the codec used before: every message went through this.
const old = new Unpackr({ useRecords: false, mapsAsObjects: true });

const messages: Record<string, Uint8Array> = {
  input: encode({ t: 'input', seq: 48213, dx: 0.7071067811865476, dy: -0.7071067811865476 }),
  ping: encode({ t: 'ping', id: 1234 }),
  chat: encode({ t: 'chat', text: 'anyone up for the north-east corner? coins there', scope: 'room' }),
  hello: encode({ t: 'hello', v: 1, name: 'Ada', room: 'lobby-3', token: 'k3Jx9Qm2Vb7Lr5Tn8Wc4Yd6Zf1Hg0Pa' }),
  'state (server, 8 players)': encode({
    t: 'state', tick: 91234, full: false,
    players: Array.from({ length: 8 }, (_, i) => [`p${i}a`, 123.45 + i, 678.9 - i, i * 3]),
    gone: [], coins: [[17, 402.5, 611.25]], taken: [12],
  }),
  'pong (server)': encode({ t: 'pong', id: 1234, tick: 91234 }),
};

type Fn = (b: Uint8Array) => unknown;
const decoders: Record<string, Fn> = {
  'msgpackr Unpackr (old)': (b) => old.unpack(b) as unknown,
  'strict decoder (new)': (b) => decodeStrict(b),
};

let sink = 0;
/**
 * CPU ns per call of fn over about roundMs of CPU. CPU time, not wall-clock: on a shared, loaded
 * machine the time this process waits for a core would otherwise land on whichever decoder ran then.
 */
function time(fn: Fn, b: Uint8Array): number {
  let n = 0;
  const c0 = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < roundMs * 1000) {
    for (let i = 0; i < 1000; i++) if (fn(b) !== null) sink++;
    n += 1000;
    const c = process.cpuUsage(c0);
    usedUs = c.user + c.system;
  }
  return (usedUs * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const startedAt = new Date();
  // Both decoders must agree on every message before they are timed.
  for (const [name, b] of Object.entries(messages)) {
    if (JSON.stringify(old.unpack(b)) !== JSON.stringify(decodeStrict(b))) throw new Error(`decoders disagree on ${name}`);
  }
  for (const name of ['input', 'ping', 'chat', 'hello']) {
    if (!parseClientMessage(messages[name]!).ok) throw new Error(`${name} is not a valid client message`);
  }
  // Warm-up: let both reach their optimised code.
  for (const fn of Object.values(decoders)) for (const b of Object.values(messages)) time(fn, b);

  const rows: Array<Record<string, string | number>> = [];
  for (const [msgName, b] of Object.entries(messages)) {
    const samples: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [decName, fn] of Object.entries(decoders)) (samples[decName] ??= []).push(time(fn, b));
    }
    const oldNs = median(samples['msgpackr Unpackr (old)']!);
    const newNs = median(samples['strict decoder (new)']!);
    rows.push({ message: msgName, bytes: b.length, oldNs: Math.round(oldNs), newNs: Math.round(newNs), newOverOld: Math.round((newNs / oldNs) * 100) / 100 });
  }
  const m = machine();
  const result = {
    scenario: 'decode',
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: m,
    command: `node dist/loadtest/decode-bench.js --rounds ${rounds} --ms ${roundMs}`,
    rows,
    notes: [
      'CPU ns per decode of one message body (process.cpuUsage, so time spent waiting for a core on a loaded machine is left out), median of the rounds; old = msgpackr Unpackr({ useRecords: false, mapsAsObjects: true }), the codec before; new = decodeStrict.',
      'Client messages are encoded by the client library\'s codec; state and pong are what the client library decodes from the server.',
      `${rounds} rounds of ${roundMs} ms of CPU per decoder and message, the decoders alternating within a round; one process, after a warm-up.`,
    ],
  };
  const day = startedAt.toISOString().slice(0, 10);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${day}-decode.json`), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# micro-bench: decode of one message',
    '',
    `- started: ${result.startedAt}, took ${result.durationSeconds} s`,
    `- machine: ${describeMachine(m)}`,
    `- command: \`npm run build && ${result.command}\``,
    '',
    '| message | bytes | msgpackr (old), CPU ns | strict (new), CPU ns | new / old |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.message} | ${r.bytes} | ${r.oldNs} | ${r.newNs} | ${r.newOverOld} |`),
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(RESULTS, `${day}-decode.md`), md);
  process.stdout.write(md);
  if (sink < 0) console.log(sink);
}

main();
