// Micro-bench of what a worker does with each input and ping a playing client sends, before the
// room or the pong write: the general path (parseClientMessage: strict decode into a map, then
// validation into a new message and a result object) against the fast path for those two messages
// (shared/protocol/hot-messages.ts, plus the one input object the game is given). Same process,
// alternating rounds, CPU time (process.cpuUsage), median of the rounds; writes
// loadtest/results/<date>-hot-messages-bench.{json,md}.
//
//   npm run build && node dist/loadtest/hot-messages-bench.js [--rounds 9] [--ms 300]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../shared/protocol/codec.js';
import { HOT_INPUT, HOT_PING, hot, readHotMessage } from '../shared/protocol/hot-messages.js';
import { PROTOCOL_LIMITS } from '../shared/protocol/limits.js';
import { parseClientMessage } from '../shared/protocol/validate.js';
import { inputTemplate, pingTemplate, writeInput } from './lean/input-template.js';
import { describeMachine, machine } from './machine.js';

const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../loadtest/results');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const rounds = Number(arg('rounds', '9'));
const roundMs = Number(arg('ms', '300'));
const DEPTH = PROTOCOL_LIMITS.maxMsgDepth;

// The lean load client's input (seq uint32, dx and dy float64) and the client library's.
const leanInput = inputTemplate();
writeInput(leanInput, 48213, 0.6, -0.8);
const messages: Record<string, Uint8Array> = {
  'input (lean client: uint32, float64)': leanInput,
  'input (client library)': encode({ t: 'input', seq: 48213, dx: 0.7071067811865476, dy: -0.7071067811865476 }),
  'ping (lean client: uint32)': pingTemplate(),
  'ping (client library)': encode({ t: 'ping', id: 4821 }),
};

let sink: unknown = null;
type Path = (b: Uint8Array) => boolean;
const general: Path = (b) => {
  const p = parseClientMessage(b);
  sink = p.ok ? p.msg : null;
  return p.ok;
};
const fast: Path = (b) => {
  const k = readHotMessage(b, DEPTH);
  // The input object the game is given; a ping needs none (its pong is written from hot.id).
  if (k === HOT_INPUT) sink = { t: 'input', seq: hot.seq, dx: hot.dx, dy: hot.dy };
  return k === HOT_INPUT || k === HOT_PING;
};

function time(fn: Path, b: Uint8Array): number {
  let n = 0;
  const c0 = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < roundMs * 1000) {
    for (let i = 0; i < 1000; i++) if (!fn(b)) throw new Error('not accepted');
    n += 1000;
    const c = process.cpuUsage(c0);
    usedUs = c.user + c.system;
  }
  return (usedUs * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const startedAt = new Date();
  const m = machine();
  const cases: Array<[string, Path, string]> = [];
  for (const msg of Object.keys(messages)) cases.push(['general', general, msg], ['fast', fast, msg]);
  for (const [, fn, msg] of cases) time(fn, messages[msg]!); // warm-up
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (r + k) % cases.length;
      samples[i]!.push(time(cases[i]![1], messages[cases[i]![2]]!));
    }
  }
  const med = samples.map(median);
  const rows = Object.keys(messages).map((msg, j) => ({
    message: msg, bytes: messages[msg]!.length,
    generalNs: Math.round(med[2 * j]!), fastNs: Math.round(med[2 * j + 1]!),
    fastOverGeneral: Math.round((med[2 * j + 1]! / med[2 * j]!) * 100) / 100,
  }));
  const result = {
    scenario: 'hot-messages-bench', startedAt: startedAt.toISOString(), machine: m,
    loadAverage1mAtEnd: Math.round(os.loadavg()[0]! * 100) / 100,
    command: `node dist/loadtest/hot-messages-bench.js --rounds ${rounds} --ms ${roundMs}`, rows,
  };
  const day = startedAt.toISOString().slice(0, 10);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${day}-hot-messages-bench.json`), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# micro-bench: input and ping, general path vs fast path',
    '',
    `- started: ${result.startedAt}; machine: ${describeMachine(m)}; load average ${result.loadAverage1mAtEnd} at the end`,
    `- command: \`npm run build && ${result.command}\``,
    '- CPU ns per message (process.cpuUsage), median of the rounds; one process, cases alternating, after a warm-up.',
    '- general: parseClientMessage (decodeStrict into a map, validation into a new message and a result object).',
    '  fast: readHotMessage, plus the input object the game is given (a ping needs none).',
    '',
    '| message | bytes | general ns | fast ns | fast / general |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.message} | ${r.bytes} | ${r.generalNs} | ${r.fastNs} | ${r.fastOverGeneral} |`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(RESULTS, `${day}-hot-messages-bench.md`), md);
  process.stdout.write(md);
  if (sink === 1) console.log(sink);
}

main();
