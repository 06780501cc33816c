// The worker's pool of threads for games' CPU-heavy tasks (ctx.pool): a bot's move search must
// not hold up the tick of the other rooms on this worker's event loop. One piscina pool per
// worker process, started on first use (a server whose games never use it starts no thread);
// its queue and each task's run time are bounded by settings, and a refusal carries a code. Its
// threads run at a lower priority (--pool-nice) than the worker's event loop.
import { Piscina } from 'piscina';
import { fileURLToPath } from 'node:url';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { TaskPool } from '../../game-api/index.js';

export interface PoolSettings {
  poolThreads: number;
  poolQueue: number;
  poolTaskTimeoutMs: number;
  poolNice: number;
}

export class WorkerTaskPool implements TaskPool {
  private pool: Piscina | null = null;

  constructor(private readonly settings: PoolSettings) {}

  run<R>(task: { file: string | URL; name?: string }, input: unknown): Promise<R> {
    const pool = (this.pool ??= new Piscina({
      minThreads: 0,
      maxThreads: this.settings.poolThreads,
      maxQueue: this.settings.poolQueue,
      idleTimeout: 30_000,
      // Lower priority for the threads (Linux: per thread): on a busy machine the tick's thread
      // wins the CPU from a search, so a bot thinking never delays another room's tick.
      niceIncrement: this.settings.poolNice,
    }));
    if (pool.queueSize >= this.settings.poolQueue) {
      return Promise.reject(new CodedError('POOL_BUSY', `${pool.queueSize} tasks are already waiting for a thread`));
    }
    const filename = typeof task.file === 'string' && !task.file.startsWith('file:') ? task.file : fileURLToPath(task.file);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.settings.poolTaskTimeoutMs);
    return (pool.run(input, { filename, name: task.name ?? 'default', signal: ac.signal }) as Promise<R>).then(
      (r) => {
        clearTimeout(timer);
        return r;
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (ac.signal.aborted) throw new CodedError('POOL_TIMEOUT', `task ${task.name ?? 'default'} was not done ${this.settings.poolTaskTimeoutMs} ms after it was handed to the pool`);
        throw err;
      },
    );
  }

  /** Threads still running (for tests and the console). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.destroy();
  }
}
