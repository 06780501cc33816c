// `npm run loadtest -- [scenario ...] [--quick] [--minutes N] [--out DIR]`: runs the named
// scenarios (all but the long `soak` by default) against servers it starts itself on free loopback ports, writes each result as JSON,
// Markdown and SVG, and stops every process it started however it ends.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { runToExit, stopAll, stopAllOnExit } from './processes.js';
import { writeResult } from './report/write.js';
import type { ScenarioResult } from './result.js';
import type { ScenarioBody } from './scenario.js';
import { SHOAL_MAIN } from './servers.js';
import { channelScenario } from './scenarios/channel.js';
import { connsScenario } from './scenarios/conns.js';
import { failoverScenario } from './scenarios/failover.js';
import { deployScenario } from './scenarios/deploy.js';
import { httpScenario } from './scenarios/http.js';
import { pingScenario } from './scenarios/ping.js';
import { playersScenario } from './scenarios/players.js';
import { scalingScenario } from './scenarios/scaling.js';
import { soakScenario } from './scenarios/soak.js';

const SCENARIOS: Record<string, ScenarioBody> = {
  http: httpScenario,
  ping: pingScenario,
  channel: channelScenario,
  conns: connsScenario,
  players: playersScenario,
  scaling: scalingScenario,
  failover: failoverScenario,
  deploy: deployScenario,
  soak: soakScenario,
};
/** Run only when named: they take half an hour. */
const LONG = new Set(['soak']);
/** Not in the default run either: `deploy` starts a fresh server per round (run it by name). */
const NAMED_ONLY = new Set([...LONG, 'deploy']);

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      minutes: { type: 'string' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: npm run loadtest -- [${Object.keys(SCENARIOS).join('|')} ...] [--quick] [--minutes N] [--out DIR]\n` +
      `  with no scenario, all but ${[...NAMED_ONLY].join(', ')}; --minutes sets how long ${[...LONG].join(', ')} runs (default 30, 3 with --quick)\n`);
    return 0;
  }
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (minutes !== undefined && !(Number.isFinite(minutes) && minutes >= 1 && minutes <= 1440)) {
    process.stderr.write(`--minutes must be a number from 1 to 1440, not ${JSON.stringify(values.minutes)}\n`);
    return 2;
  }
  const names = positionals.length ? positionals : Object.keys(SCENARIOS).filter((n) => !NAMED_ONLY.has(n));
  const unknown = names.filter((n) => !SCENARIOS[n]);
  if (unknown.length) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
    return 2;
  }
  if (!fs.existsSync(SHOAL_MAIN)) {
    process.stderr.write(`${SHOAL_MAIN} is missing: run npm run build first\n`);
    return 2;
  }
  stopAllOnExit();
  const quick = values.quick;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const m = machine();
  log(`shoal loadtest${quick ? ' --quick' : ''}: ${names.join(', ')}`);
  log(`machine: ${describeMachine(m)}`);
  let failed = 0;
  const t0 = Date.now();
  for (const name of names) {
    const started = new Date();
    const mm = machine();
    log(`\n== ${name} (load average ${mm.loadAverage1m})`);
    try {
      const body = await SCENARIOS[name]!({ quick, minutes, log });
      const result: ScenarioResult = {
        scenario: name, quick, startedAt: started.toISOString(),
        durationSeconds: (Date.now() - started.getTime()) / 1000, machine: mm,
        command: `npm run loadtest -- ${name}${quick ? ' --quick' : ''}${minutes !== undefined && LONG.has(name) ? ` --minutes ${minutes}` : ''}`, ...body,
      };
      const w = writeResult(values.out, result);
      for (const q of result.ratios) {
        const target = q.target ? ` (target ${q.target.op} ${q.target.value}: ${q.met ? 'met' : 'MISSED'})` : '';
        log(`  => ${q.figure}: ${q.value ?? 'n/a'}${target}`);
      }
      log(`  wrote ${path.relative(process.cwd(), w.json)}, ${path.basename(w.markdown)}${w.svg ? `, ${path.basename(w.svg)}` : ''}`);
    } catch (err) {
      failed++;
      log(`  ${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      await stopAll();
    }
  }
  log(`\nloadtest done in ${((Date.now() - t0) / 1000).toFixed(0)} s${failed ? `, ${failed} scenario(s) failed` : ''}`);
  return failed ? 1 : 0;
}

runToExit(main);
