// Start step: how the primary stops. One shutdown (the acceptor closes, the coordinator link
// stops, every child is asked to stop), wired to SIGTERM and SIGINT before anything starts, so a
// signal during start-up also stops cleanly.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';

export interface Stoppable {
  close(): void;
}

export interface ShutdownDeps {
  config: Config;
  log: Logger;
  /** Closed first: no new connections. */
  acceptor: () => Stoppable;
  /** Stopped next: the coordinator's going away is expected from here on. */
  link: { stop(): void };
  supervisor: { stopAll(reason: string, timeoutMs: number): Promise<void> };
}

export class Shutdown {
  private stopping: Promise<void> | null = null;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly d: ShutdownDeps) {}

  /** Whether a shutdown has begun. */
  get started(): boolean {
    return this.stopping !== null;
  }

  /** The shutdown in progress, if any. */
  get done(): Promise<void> | null {
    return this.stopping;
  }

  /** Resolves when a shutdown begins (to stop waiting for a start step). */
  begun(): Promise<void> {
    return new Promise((r) => (this.stopping ? r() : this.waiters.push(r)));
  }

  run(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    for (const w of this.waiters.splice(0)) w();
    const { log, config } = this.d;
    this.stopping = (async () => {
      log.info({ reason }, 'shutting down');
      this.d.acceptor().close();
      this.d.link.stop();
      await this.d.supervisor.stopAll('shutdown', config.shutdownTimeoutMs);
      log.info('shutdown complete');
    })();
    return this.stopping;
  }

  /** SIGTERM and SIGINT shut down; a second signal, or a stuck shutdown, ends it the hard way. */
  onSignals(): void {
    const onSignal = (sig: string) => {
      void this.run(sig).then(() => process.exit(0));
      setTimeout(() => process.exit(1), this.d.config.shutdownTimeoutMs + 2000).unref();
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  }
}
