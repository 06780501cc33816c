// Starting the state emitter (baselines/state-emitter.ts) for a load test or a test: its own
// process group on a free loopback port, ready when it prints "ready", optionally a node:cluster
// of N workers. Its pid is the root of the process tree whose CPU is counted.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { startProcess } from './processes.js';
import type { RunningServer } from './servers.js';

// The built emitter in dist/, also when this file runs from source (a test).
const HERE = fileURLToPath(import.meta.url);
const EMITTER = HERE.endsWith('.ts')
  ? path.resolve(path.dirname(HERE), '..', 'dist', 'loadtest', 'baselines', 'state-emitter.js')
  : path.join(path.dirname(HERE), 'baselines', 'state-emitter.js');

/** `cluster` 0: one process; N > 0: a primary and N workers sharing the port. */
export async function startStateEmitter(cluster = 0): Promise<RunningServer> {
  const port = await freePort();
  const name = `state emitter${cluster ? ` cluster(${cluster})` : ''}`;
  const proc = startProcess(name, process.execPath, [EMITTER, '--port', String(port), '--host', '127.0.0.1', '--cluster', String(cluster)]);
  try {
    await proc.waitForLine('ready', 15_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name, port, proc, stop: () => proc.stop(5000) };
}
