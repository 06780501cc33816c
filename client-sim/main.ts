// `npm run sim -- --players N ...`: simulated players against a running Shoal server.
import { parseSimOptions } from './options.js';
import { runSim } from './run.js';
import { formatSummary } from './summary.js';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseSimOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const tty = process.stderr.isTTY;
  let n = 0;
  const summary = await runSim(opts, {
    progress: (line) => {
      // On a terminal, one line rewritten in place; in a log, a line every 5 s.
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (n++ % 5 === 4) process.stderr.write(`${line}\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else process.stdout.write(formatSummary(summary) + '\n');
  process.exit(0);
}

void main();
