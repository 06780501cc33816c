// Every process the load test starts goes through here, so all of them are stopped at the end,
// on success, on failure and on Ctrl-C. Servers are started in their own process group
// (detached), so stopping one also stops its workers or forked children.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ManagedProcess>();

export class ManagedProcess {
  readonly exited: Promise<number | null>;
  private stdoutBuf = '';

  constructor(readonly name: string, readonly child: ChildProcess) {
    running.add(this);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        running.delete(this);
        resolve(code);
      });
      child.once('error', () => {
        running.delete(this);
        resolve(null);
      });
    });
    child.stdout?.on('data', (d: Buffer) => {
      // Keep only the tail: enough to find a "ready" line without holding a whole log.
      this.stdoutBuf = (this.stdoutBuf + d.toString()).slice(-4096);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when stdout has shown a line equal to `line`. */
  waitForLine(line: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.stdoutBuf.split('\n').includes(line)) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not print "${line}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`${this.name} exited before it was ready`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout?.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // The leader is gone; make sure nothing it started outlives it.
    this.signal('SIGKILL');
  }

  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }
}

/** Starts a process in its own group; stdio defaults to ignore stdin, pipe stdout, inherit stderr. */
export function startProcess(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): ManagedProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true, ...opts });
  return new ManagedProcess(name, child);
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(3000)));
}

let hooked = false;
/** Makes sure processes are stopped if the load test is interrupted or crashes. */
export function stopAllOnExit(): void {
  if (hooked) return;
  hooked = true;
  const killNow = () => {
    for (const p of running) p.signal('SIGKILL');
  };
  process.on('exit', killNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killNow();
      process.exit(130);
    });
  }
}

/** Runs a load-test CLI's main: exits with its code (0 when it returns none) once every process it started is stopped. */
export function runToExit(main: () => Promise<number | void>): void {
  main().then(
    async (code) => {
      await stopAll();
      process.exit(code ?? 0);
    },
    async (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      await stopAll();
      process.exit(1);
    },
  );
}
