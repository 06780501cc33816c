// A connection to the console socket that sends requests and matches answers by id.
import net from 'node:net';
import type { Answer } from './wire.js';
import { CodedError } from '../../shared/errors/coded-error.js';

export class ConsoleClient {
  private seq = 0;
  private buf = '';
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private closedWith: CodedError | null = null;
  onClose: () => void = () => {};

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        let a: Answer;
        try {
          a = JSON.parse(line) as Answer;
        } catch {
          continue;
        }
        const fn = typeof a.id === 'number' ? this.waiting.get(a.id) : undefined;
        if (fn) {
          this.waiting.delete(a.id as number);
          fn(a);
        }
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closedWith = new CodedError('CONNECTION_CLOSED', 'the console connection closed (server stopped?)');
      for (const fn of this.waiting.values()) fn({ id: null, ok: false, error: { code: this.closedWith.code, message: this.closedWith.message } });
      this.waiting.clear();
      this.onClose();
    });
  }

  static connect(file: string, timeoutMs = 3000): Promise<ConsoleClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(file);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new CodedError('CONSOLE_TIMEOUT', `no answer from the console socket ${file}`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new ConsoleClient(sock));
      });
      sock.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          err.code === 'ENOENT' ? 'no such socket (is the server running? is the path right?)'
          : err.code === 'ECONNREFUSED' ? 'nothing is listening on it (a stale socket: the server is not running)'
          : err.code === 'EACCES' ? 'permission denied (the console belongs to the user running the server)'
          : err.message;
        reject(new CodedError('CONSOLE_UNREACHABLE', `cannot reach the console at ${file}: ${why}`));
      });
    });
  }

  /** Runs one command; answers come back in request order, so requests may overlap. */
  request(cmd: string, args: string[] = []): Promise<Answer> {
    if (this.closedWith) return Promise.resolve({ id: null, ok: false, error: { code: this.closedWith.code, message: this.closedWith.message } });
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.sock.write(JSON.stringify({ id, cmd, args }) + '\n');
    });
  }

  close(): void {
    this.sock.end();
  }
}
