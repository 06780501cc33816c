// Shared set-up for the browser tests: a real headless Chromium from the Debian package (never a
// downloaded browser) and, from test/helpers, a real Shoal server on its own port and data dir.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';

export { startServer, type TestServer } from '../helpers/server.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
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

/** Base URL of a test server's HTTP side (the page, /rooms, /leaderboard). */
export function baseUrl(server: TestServer): string {
  return `http://127.0.0.1:${server.port}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function outputPath(name: string): string {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  return path.join(OUTPUT_DIR, name);
}
