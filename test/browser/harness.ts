// Shared set-up for the browser tests: a real Shoal server (its own port and data directory) and
// a real headless Chromium from the Debian package. Never a downloaded browser.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
export const CONSOLE_CLI = path.join(ROOT, 'dist', 'server', 'console', 'cli.js');
export const OUTPUT_DIR = path.join(ROOT, 'test-output');
export const CHROMIUM = '/usr/bin/chromium';

const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/**
 * Why the browser tests cannot run here, or null when they can. Locally a missing Chromium skips
 * them with a printed reason; in CI it is a failure, because CI must never skip them.
 */
export function browserSkipReason(file: string): string | null {
  if (fs.existsSync(CHROMIUM)) return null;
  if (inCI) throw new Error(`${file}: CI=${process.env.CI} but ${CHROMIUM} is missing; install the Debian packages chromium and chromium-driver`);
  const reason = `${file}: SKIPPED, ${CHROMIUM} not found (apt-get install chromium chromium-driver to run the browser tests)`;
  console.warn(`\n*** ${reason}\n`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface TestServer {
  port: number;
  url: string;
  dataDir: string;
  consoleSocket: string;
  /** The last lines the server logged, for failure messages. */
  logs(): string;
  /** SIGTERM and wait for a clean exit (SIGKILL after a timeout). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group at once, as a crash would; keeps the data directory. */
  crash(): Promise<void>;
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface StartOptions { port?: number; dataDir?: string; args?: string[] }

/** Starts dist/server/main.js on a free port (never 8000) and waits for GET /health. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build`);
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-web-'));
  const consoleSocket = path.join(dataDir, 'console.sock');
  const proc: ChildProcess = spawn(
    process.execPath,
    [SERVER_MAIN, '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, '--workers', '2', '--console', consoleSocket, ...(opts.args ?? [])],
    // Own process group, so stop() reaches the workers and the coordinator too.
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_LOG_JSON: '1' } },
  );
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) tail.push(line);
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      // already gone
    }
  };
  const server: TestServer = {
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    consoleSocket,
    logs: () => tail.join('\n'),
    exited,
    async crash() {
      signalGroup('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone) {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      // Children of a SIGKILLed primary may linger; the group signal reaches them too.
      signalGroup('SIGKILL');
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`server exited before it was ready:\n${server.logs()}`);
    try {
      const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`server not healthy within 30 s:\n${server.logs()}`);
    }
    await sleep(100);
  }
  return server;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function outputPath(name: string): string {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  return path.join(OUTPUT_DIR, name);
}
