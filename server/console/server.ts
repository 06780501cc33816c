// Serves the console socket: each connection (connection.ts) reads requests a line at a time and
// runs them one after another (so answers come back in request order and a script can pipeline);
// here every command runs, with its arguments and outcome written to the audit log.
import fs from 'node:fs';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { Command, ConsoleContext } from './context.js';
import { ConsoleConnection, jsonLine, type ConnectionLimits } from './connection.js';
import { BadRequest, errorAnswer, parseLine, type Answer } from './wire.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export class ConsoleServer {
  private ctx: ConsoleContext | null = null;
  private readonly socks = new Set<net.Socket>();
  private readonly ino: number;

  constructor(
    private readonly server: net.Server,
    private readonly file: string,
    private readonly audit: Logger,
    private readonly commands: Map<string, Command>,
    private readonly limits: ConnectionLimits & { maxConnections: number },
  ) {
    this.ino = fs.statSync(file).ino;
    server.on('connection', (s) => this.accept(s));
    server.on('error', (err) => audit.error({ err, code: 'CONSOLE_SOCKET_ERROR' }, 'console socket error'));
    // However the process ends, a socket file of ours must not be left to look like a live server.
    process.on('exit', () => this.unlink());
  }

  /** While starting: what is keeping the server from coming up, if anything. */
  startingProblem: () => string | undefined = () => undefined;

  /** Commands other than help answer STARTING until the server is up. */
  attach(ctx: ConsoleContext): void {
    this.ctx = ctx;
  }

  close(): void {
    this.server.close();
    for (const s of this.socks) s.destroy();
    this.unlink();
  }

  private unlink(): void {
    try {
      // Only our own file: not one a later server put in its place.
      if (fs.statSync(this.file).ino === this.ino) fs.unlinkSync(this.file);
    } catch {
      // already gone
    }
  }

  private accept(sock: net.Socket): void {
    sock.on('error', () => {});
    if (this.socks.size >= this.limits.maxConnections) {
      sock.end(jsonLine(errorAnswer(null, new CodedError('TOO_MANY_CONNECTIONS', `at most ${this.limits.maxConnections} console connections`))));
      return;
    }
    this.socks.add(sock);
    sock.on('close', () => this.socks.delete(sock));
    new ConsoleConnection(sock, this.limits, {
      answer: (line) => this.answer(line),
      refused: (code, message) => this.audit.warn({ code }, `console: ${message}; connection closed`),
    });
  }

  private async answer(raw: string): Promise<Answer | null> {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return null;
    let req;
    try {
      req = parseLine(line);
    } catch (err) {
      this.audit.warn({ ok: false, code: (err as CodedError).code, error: (err as Error).message, raw: trimmed.slice(0, 200) }, 'console: bad request');
      return errorAnswer(err instanceof BadRequest ? err.id : null, err);
    }
    const t0 = Date.now();
    const { id, cmd, args } = req;
    try {
      const c = this.commands.get(cmd);
      if (!c) throw new CodedError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(cmd)}; "help" lists the commands`);
      if (!this.ctx && c.name !== 'help') {
        const problem = this.startingProblem();
        if (problem) throw new CodedError(problem, `the server cannot start: ${problem} (see the log)`);
        throw new CodedError('STARTING', 'the server is still starting; try again in a moment');
      }
      const data = await c.run(this.ctx as ConsoleContext, args);
      this.audit.info({ cmd, args, ok: true, ms: Date.now() - t0 }, `console: ${cmd}`);
      return { id, ok: true, data: data ?? null };
    } catch (err) {
      const e = err as { code?: unknown; message?: string };
      const known = typeof e?.code === 'string';
      if (known) this.audit.warn({ cmd, args, ok: false, code: e.code, error: e.message, ms: Date.now() - t0 }, `console: ${cmd} failed`);
      else this.audit.error({ cmd, args, ok: false, code: 'INTERNAL', err, ms: Date.now() - t0 }, `console: ${cmd} failed`);
      return errorAnswer(id, err);
    }
  }
}
