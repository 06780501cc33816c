// Claims the console socket before anything else starts. Binding it is the lock on the data
// directory: a socket file that answers belongs to a live server, so we refuse to start rather
// than take over its data; a file nobody answers on is left from a crash and is replaced.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CodedError } from '../../shared/errors/coded-error.js';

/** Exit code of a start refused because another server holds the data directory. */
export const EXIT_IN_USE = 3;

// sun_path holds 108 bytes on Linux (104 on macOS), terminator included.
const MAX_PATH_BYTES = 103;

/** Binds `file` with mode 0600 and returns the listening server (no connection handler yet). */
export async function claimConsoleSocket(file: string, alsoProbe: string[] = []): Promise<net.Server> {
  if (Buffer.byteLength(file) > MAX_PATH_BYTES) {
    throw new CodedError('CONSOLE_PATH_TOO_LONG', `console socket path ${file} is longer than ${MAX_PATH_BYTES} bytes; set --console to a shorter path`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const server = await bind(file);
  // The coordinator's socket in the same data directory tells of a live server too, even one
  // started with a different --console.
  for (const other of alsoProbe) {
    if (isSocketFile(other) && (await answers(other))) {
      server.close();
      fs.rmSync(file, { force: true });
      throw new CodedError('DATA_IN_USE', `another Shoal server is using this data directory (${other} answers)`);
    }
  }
  return server;
}

async function bind(file: string): Promise<net.Server> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listen(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 0) {
        throw new CodedError('CONSOLE_LISTEN_FAILED', `cannot listen on console socket ${file}: ${(err as Error).message}`);
      }
    }
    if (await answers(file)) {
      throw new CodedError('CONSOLE_IN_USE', `another Shoal server is running: its console socket ${file} answers`);
    }
    if (!isSocketFile(file)) {
      throw new CodedError('CONSOLE_PATH_NOT_SOCKET', `${file} exists and is not a socket; refusing to replace it`);
    }
    fs.rmSync(file, { force: true }); // stale, from a server that did not stop cleanly
  }
}

function isSocketFile(file: string): boolean {
  return fs.lstatSync(file, { throwIfNoEntry: false })?.isSocket() ?? false;
}

function listen(file: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a script (or socat) may close its sending side and still wait for answers.
    const server = net.createServer({ allowHalfOpen: true });
    server.once('error', reject);
    // The socket file is created with mode 0600 from the start (umask), not chmod-ed after, so
    // there is no moment in which another user could connect. The bind happens inside listen().
    const old = process.umask(0o177);
    try {
      server.listen(file, () => {
        server.off('error', reject);
        fs.chmodSync(file, 0o600);
        resolve(server);
      });
    } finally {
      process.umask(old);
    }
  });
}

/** Whether something accepts connections on the socket file (a hung peer counts as live). */
export function answers(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(file);
    const done = (live: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
