// The ops tests run Debian's Prometheus binaries (scripts/test-deps.txt). Locally a missing binary
// skips them with a printed reason; in CI it is a failure, because CI must never skip them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RULES_DIR = path.join(ROOT, 'ops', 'prometheus');

const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

export function toolSkipReason(binary: string, file: string): string | null {
  if (fs.existsSync(binary)) return null;
  if (inCI) throw new Error(`${file}: CI=${process.env.CI} but ${binary} is missing; install the Debian package prometheus`);
  const reason = `${file}: SKIPPED, ${binary} not found (apt-get install prometheus to run it)`;
  console.warn(`\n*** ${reason}\n`);
  return reason;
}
