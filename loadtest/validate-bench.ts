// Micro-bench of the edge's per-message check (decode + validate, parseClientMessage): the built-in
// `input` path against a game's declared message of the same size and shape, checked by its
// compiled TypeBox schema (shared/protocol/game-messages.ts), and the built-in path of another
// commit's code (default main) side by side in the same process, so "the built-in path did not get
// slower" is a ratio of one run. Alternating rounds, CPU time, median of the rounds; writes
// loadtest/results/<date>-validate-bench.{json,md}.
//
//   npm run build && node dist/loadtest/validate-bench.js [--rounds 9] [--ms 300] [--baseline main]
//
// --baseline REF: shared/ of that git commit is compiled (this repo's tsc) into a temporary
// directory and its parseClientMessage timed beside this build's; --baseline none skips it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import { encode } from '../shared/protocol/codec.js';
import { compileGameMessages } from '../shared/protocol/game-messages.js';
import { parseClientMessage } from '../shared/protocol/validate.js';
import { describeMachine, machine } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const RESULTS = path.join(ROOT, 'loadtest/results');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const rounds = Number(arg('rounds', '9'));
const roundMs = Number(arg('ms', '300'));
const baselineRef = arg('baseline', 'main');

type Parse = (b: Uint8Array) => { ok: boolean };

/** The baseline commit's parseClientMessage, compiled from its own shared/ into a temporary directory. */
async function loadBaseline(ref: string): Promise<{ parse: Parse; commit: string } | null> {
  if (ref === 'none') return null;
  const commit = execFileSync('git', ['rev-parse', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-validate-base-'));
  execFileSync('sh', ['-c', `git archive ${commit} shared | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), [
    '--outDir', path.join(dir, 'dist'), '--rootDir', dir, '--target', 'ES2022', '--module', 'NodeNext',
    '--moduleResolution', 'NodeNext', '--strict', '--skipLibCheck', '--lib', 'ES2022,DOM', '--types', 'node',
    '--typeRoots', path.join(ROOT, 'node_modules/@types'),
    path.join(dir, 'shared/protocol/validate.ts'),
  ], { cwd: dir, stdio: 'inherit' });
  fs.writeFileSync(path.join(dir, 'dist/package.json'), '{"type":"module"}\n');
  const mod = (await import(pathToFileURL(path.join(dir, 'dist/shared/protocol/validate.js')).href)) as { parseClientMessage: Parse };
  fs.rmSync(dir, { recursive: true, force: true }); // loaded: the files are no longer needed
  return { parse: mod.parseClientMessage, commit };
}

// A game declaring a message like the arena's input: a sequence number and a direction.
const game = compileGameMessages('bench', {
  steer: Type.Object({
    seq: Type.Integer({ minimum: 0 }),
    dx: Type.Number({ minimum: -1, maximum: 1 }),
    dy: Type.Number({ minimum: -1, maximum: 1 }),
  }),
  drop: Type.Object({ col: Type.Integer({ minimum: 0, maximum: 6 }) }),
}, { stringMax: 1024 });

const messages: Record<string, Uint8Array> = {
  'input (built-in)': encode({ t: 'input', seq: 48213, dx: 0.7071067811865476, dy: -0.7071067811865476 }),
  'steer (declared, same fields)': encode({ t: 'steer', seq: 48213, dx: 0.7071067811865476, dy: -0.7071067811865476 }),
  'drop (declared, four in a row move)': encode({ t: 'drop', col: 3 }),
  'steer refused (dx out of range)': encode({ t: 'steer', seq: 48213, dx: 1.5, dy: -0.7071067811865476 }),
};

let sink = 0;
/** CPU ns per call over about roundMs of CPU (process.cpuUsage: time waiting for a core is left out). */
function time(fn: Parse, b: Uint8Array): number {
  let n = 0;
  const c0 = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < roundMs * 1000) {
    for (let i = 0; i < 1000; i++) if (fn(b).ok) sink++;
    n += 1000;
    const c = process.cpuUsage(c0);
    usedUs = c.user + c.system;
  }
  return (usedUs * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const startedAt = new Date();
  const m = machine();
  const base = await loadBaseline(baselineRef);
  // What is timed: [label, parse, message].
  const cases: Array<[string, Parse, string]> = [];
  if (base) cases.push([`built-in, baseline ${base.commit.slice(0, 7)}`, base.parse, 'input (built-in)']);
  cases.push(['built-in, this build (no game: the arena)', (b) => parseClientMessage(b), 'input (built-in)']);
  cases.push(['built-in, this build (session of a game with declarations)', (b) => parseClientMessage(b, undefined, game), 'input (built-in)']);
  cases.push(['declared, this build', (b) => parseClientMessage(b, undefined, game), 'steer (declared, same fields)']);
  cases.push(['declared, this build', (b) => parseClientMessage(b, undefined, game), 'drop (declared, four in a row move)']);
  cases.push(['declared refused, this build', (b) => parseClientMessage(b, undefined, game), 'steer refused (dx out of range)']);

  // Each accepts what it should before it is timed.
  for (const [label, fn, msg] of cases) {
    const ok = fn(messages[msg]!).ok;
    if (ok !== !msg.includes('refused')) throw new Error(`${label} on ${msg}: ok=${ok}`);
  }
  for (const [, fn, msg] of cases) time(fn, messages[msg]!); // warm-up

  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    // Each round starts with the next case, so no case always runs first (or just after another).
    for (let k = 0; k < cases.length; k++) {
      const i = (r + k) % cases.length;
      const [, fn, msg] = cases[i]!;
      samples[i]!.push(time(fn, messages[msg]!));
    }
  }
  const medians = samples.map(median);
  const builtinNow = medians[base ? 1 : 0]!;
  const rows = cases.map(([label, , msg], i) => ({
    path: label,
    message: msg,
    bytes: messages[msg]!.length,
    ns: Math.round(medians[i]!),
    overBuiltinThisBuild: r2(medians[i]! / builtinNow),
  }));
  const ratios: Record<string, number | null> = {
    'built-in input, this build / baseline': base ? r2(builtinNow / medians[0]!) : null,
    'built-in input in a session with declarations / without': r2(medians[base ? 2 : 1]! / builtinNow),
    'declared steer / built-in input (same fields, this build)': r2(medians[base ? 3 : 2]! / builtinNow),
  };
  const result = {
    scenario: 'validate-bench',
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: m,
    loadAverage1mAtEnd: r2(os.loadavg()[0]!),
    command: `node dist/loadtest/validate-bench.js --rounds ${rounds} --ms ${roundMs} --baseline ${baselineRef}`,
    baselineCommit: base?.commit ?? null,
    ratios,
    rows,
    notes: [
      'CPU ns per parseClientMessage call (strict decode + validation of one message body, as a session does per message; process.cpuUsage, so time spent waiting for a core on a loaded machine is left out), median of the rounds.',
      `${rounds} rounds of ${roundMs} ms of CPU per case, every case once a round, each round starting with the next case; one process, after a warm-up.`,
      'steer is declared as Type.Object({ seq: Integer >= 0, dx: Number -1..1, dy: Number -1..1 }): the same fields and bytes as the built-in input.',
      'The baseline is the named commit\'s shared/ compiled by this repo\'s tsc into a temporary directory and loaded beside this build (same process, same rounds).',
      'A refused declared message also pays for finding its first error (TypeBox Errors) and the message naming the field.',
    ],
  };
  const day = startedAt.toISOString().slice(0, 10);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `${day}-validate-bench.json`), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# micro-bench: the edge check of one client message',
    '',
    `- started: ${result.startedAt}, took ${result.durationSeconds} s`,
    `- machine: ${describeMachine(m)}; load average ${result.loadAverage1mAtEnd} at the end`,
    `- command: \`npm run build && ${result.command}\``,
    '',
    '| path | message | bytes | CPU ns | / built-in (this build) |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.path} | ${r.message} | ${r.bytes} | ${r.ns} | ${r.overBuiltinThisBuild} |`),
    '',
    ...Object.entries(ratios).map(([k, v]) => `- ${k}: **${v ?? 'n/a'}**`),
    '',
    ...result.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(RESULTS, `${day}-validate-bench.md`), md);
  process.stdout.write(md);
  if (sink < 0) console.log(sink);
}

await main();
