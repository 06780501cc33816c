// Runs a baseline server in this process, or under node:cluster with N workers sharing the port.
// Prints "ready" on stdout once every process listens, which is what the load test waits for.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';

export interface BaselineArgs {
  port: number;
  host: string;
}

/** `listen` starts the server and resolves once it listens. */
export function runBaseline(listen: (a: BaselineArgs) => Promise<void>): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      cluster: { type: 'string', default: '0' },
    },
  });
  const args = { port: Number(values.port), host: values.host };
  const workers = Number(values.cluster);
  if (workers > 0 && cluster.isPrimary) {
    let listening = 0;
    for (let i = 0; i < workers; i++) cluster.fork();
    cluster.on('listening', () => {
      if (++listening === workers) process.stdout.write('ready\n');
    });
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  listen(args).then(
    () => {
      if (!cluster.isWorker) process.stdout.write('ready\n');
    },
    (err) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
  // A worker must not outlive its primary.
  if (cluster.isWorker) process.on('disconnect', () => process.exit(0));
}
