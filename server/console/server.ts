// Serves the console socket: reads requests a line at a time, runs them one after another per
// connection (so answers come back in request order and a script can pipeline), writes one JSON
// line per answer, and writes every command with its arguments and outcome to the audit log.
import fs from 'node:fs';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { Command, ConsoleContext } from './context.js';
import { escapeJson } from './escape.js';
import { BadRequest, ConsoleError, MAX_LINE_BYTES, errorAnswer, parseLine, type Answer } from './wire.js';

const MAX_CONNECTIONS = 32;

/** One answer line; hidden characters (from names, ids, reasons) go out as \uXXXX escapes. */
const jsonLine = (a: Answer) => escapeJson(JSON.stringify(a)) + '\n';

export class ConsoleServer {
  private ctx: ConsoleContext | null = null;
  private readonly socks = new Set<net.Socket>();
  private readonly ino: number;

  constructor(
    private readonly server: net.Server,
    private readonly file: string,
    private readonly audit: Logger,
    private readonly commands: Map<string, Command>,
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
    if (this.socks.size >= MAX_CONNECTIONS) {
      sock.end(jsonLine(errorAnswer(null, new ConsoleError('TOO_MANY_CONNECTIONS', `at most ${MAX_CONNECTIONS} console connections`))));
      return;
    }
    this.socks.add(sock);
    sock.on('close', () => this.socks.delete(sock));
    sock.setEncoding('utf8');
    let buf = '';
    let chain: Promise<void> = Promise.resolve();
    let done = false;
    const enqueue = (line: string) => {
      chain = chain
        .then(() => this.answer(line))
        .then((a) => {
          if (a && sock.writable) sock.write(jsonLine(a));
        });
    };
    sock.on('data', (chunk: string) => {
      if (done) return;
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        enqueue(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      if (buf.length > MAX_LINE_BYTES) {
        // No newline in sight: there is no next request to find, so answer and hang up.
        done = true;
        buf = '';
        this.audit.warn({ code: 'LINE_TOO_LONG' }, 'console: request line too long; connection closed');
        chain = chain.then(() => {
          if (sock.writable) sock.end(jsonLine(errorAnswer(null, new ConsoleError('LINE_TOO_LONG', `a request line is at most ${MAX_LINE_BYTES} bytes`))));
        });
      }
    });
    // The peer has sent everything (e.g. `echo status | socat - UNIX-CONNECT:...`): answer the
    // last line even without its newline, then close our side once every answer is out.
    sock.on('end', () => {
      if (!done && buf.trim() !== '') enqueue(buf);
      buf = '';
      done = true;
      void chain.then(() => sock.end());
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
      this.audit.warn({ ok: false, code: (err as ConsoleError).code, error: (err as Error).message, raw: trimmed.slice(0, 200) }, 'console: bad request');
      return errorAnswer(err instanceof BadRequest ? err.id : null, err);
    }
    const t0 = Date.now();
    const { id, cmd, args } = req;
    try {
      const c = this.commands.get(cmd);
      if (!c) throw new ConsoleError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(cmd)}; "help" lists the commands`);
      if (!this.ctx && c.name !== 'help') {
        const problem = this.startingProblem();
        if (problem) throw new ConsoleError(problem, `the server cannot start: ${problem} (see the log)`);
        throw new ConsoleError('STARTING', 'the server is still starting; try again in a moment');
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
