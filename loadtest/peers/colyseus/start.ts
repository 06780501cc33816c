// Starting the Colyseus peer for a load test or a test: its own process (in its own process
// group, stopped with everything else the load test started) on a free loopback port, ready when
// it prints "ready". Its pid is the root of the process tree whose CPU is counted.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../free-port.js';
import { startProcess } from '../../processes.js';
import type { RunningServer } from '../../servers.js';

// The built server beside this file in dist/, also when this file runs from source (a test).
const HERE = fileURLToPath(import.meta.url);
const SERVER = HERE.endsWith('.ts')
  ? path.resolve(path.dirname(HERE), '..', '..', '..', 'dist', 'loadtest', 'peers', 'colyseus', 'server.js')
  : path.join(path.dirname(HERE), 'server.js');

export async function startColyseus(): Promise<RunningServer> {
  const port = await freePort();
  const proc = startProcess('colyseus', process.execPath, [SERVER, '--port', String(port), '--host', '127.0.0.1']);
  try {
    await proc.waitForLine('ready', 30_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name: proc.name, port, proc, stop: () => proc.stop(5000) };
}
