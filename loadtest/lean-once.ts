// Runs one lean-client measurement in a process of its own and writes its LeanResult as JSON: the
// client is any build's lean/run.js (this one's by default), so two builds of the CLIENT can be
// compared on the same server, each in a fresh process (client-ab.ts starts this).
//   node dist/loadtest/lean-once.js --client /other/checkout/dist/loadtest/lean/run.js --port P --server-pid PID --players 1000 --json OUT
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LeanOptions, LeanResult } from './lean/run.js';
import type { LeanTransport } from './lean/lean-socket.js';

const OWN_RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lean', 'run.js');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: 'string', default: OWN_RUN },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'server-pid': { type: 'string' },
      players: { type: 'string', default: '1000' },
      transport: { type: 'string', default: 'mix' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      'input-hz': { type: 'string', default: '10' },
      'ping-hz': { type: 'string', default: '1' },
      ramp: { type: 'string', default: '1000' },
      json: { type: 'string' },
    },
  });
  if (!values.port || !values.json) throw new Error('--port and --json are required');
  if (!['tcp', 'ws', 'mix'].includes(values.transport)) throw new Error('--transport must be tcp, ws or mix');
  const mod = (await import(pathToFileURL(path.resolve(values.client)).href)) as { runLean(o: LeanOptions): Promise<LeanResult> };
  const r = await mod.runLean({
    host: values.host, port: Number(values.port), players: Number(values.players), transport: values.transport as LeanTransport | 'mix',
    seconds: Number(values.seconds), warmupSeconds: Number(values.warmup), inputHz: Number(values['input-hz']),
    pingHz: Number(values['ping-hz']), rampPerSecond: Number(values.ramp),
    serverPid: values['server-pid'] ? Number(values['server-pid']) : undefined,
  });
  fs.writeFileSync(values.json, JSON.stringify(r));
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`${err.stack ?? String(err)}\n`);
  process.exit(1);
});
