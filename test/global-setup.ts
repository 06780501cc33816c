// Tests run the server from dist/. Before any test file runs, make sure dist/ is built from the
// sources as they are now: `npm test` has just built (pretest), so this finds it fresh and does
// nothing; `npx vitest run FILE` after an edit builds first instead of testing old code.
import { execSync } from 'node:child_process';
import { root, staleReason } from '../scripts/build-state.mjs';

export default function setup(): void {
  const why: string | null = staleReason();
  if (!why) return;
  console.log(`dist/ is stale (${why}): running npm run build before the tests`);
  try {
    execSync('npm run build', { cwd: root, stdio: 'inherit' });
  } catch {
    throw new Error('npm run build failed: not running the tests against a stale dist/');
  }
  const still: string | null = staleReason();
  if (still) throw new Error(`dist/ is still stale after npm run build (${still})`);
}
