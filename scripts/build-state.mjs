// Whether dist/ is older than the sources it is built from. `npm run build` brackets itself with
// `begin` and `done`: the stamp carries the time the build started, so a source saved while tsc
// runs still counts as newer. `npm start` (build-if-needed.mjs) and the tests' global setup
// (test/global-setup.ts) read it, so neither runs old code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const started = path.join(root, 'dist', '.build-started');
const sources = ['server', 'shared', 'client-sim', 'loadtest', 'web', 'scripts', 'tsconfig.json', 'package.json'];
// Written by tools and tests, not built from.
const skip = new Set(['results', 'node_modules']);

/** The newest source file: its path (relative to the repo) and modification time. */
function newest(p, best = { file: '', mtimeMs: 0 }) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return best;
  }
  if (!st.isDirectory()) return st.mtimeMs > best.mtimeMs ? { file: path.relative(root, p), mtimeMs: st.mtimeMs } : best;
  for (const e of fs.readdirSync(p)) if (!skip.has(e)) best = newest(path.join(p, e), best);
  return best;
}

/** null when dist/ is up to date, else why it is not (one line). */
export function staleReason() {
  if (!fs.existsSync(stamp)) return 'dist/ has no completed build';
  const builtAt = fs.statSync(stamp).mtimeMs;
  let n = { file: '', mtimeMs: 0 };
  for (const s of sources) n = newest(path.join(root, s), n);
  if (n.mtimeMs > builtAt) return `${n.file} changed after the last build (${new Date(builtAt).toISOString()})`;
  return null;
}

const step = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) ? process.argv[2] : undefined;
if (step === 'begin') {
  fs.mkdirSync(path.dirname(started), { recursive: true });
  fs.rmSync(stamp, { force: true });
  fs.writeFileSync(started, new Date().toISOString() + '\n');
} else if (step === 'done') {
  fs.renameSync(started, stamp);
} else if (step === 'check') {
  const why = staleReason();
  console.log(why ?? 'dist/ is up to date');
  process.exit(why ? 1 : 0);
}
