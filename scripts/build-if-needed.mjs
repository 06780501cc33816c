// `npm start` builds first only if it must: when dist/ is missing or older than any source file.
import { execSync } from 'node:child_process';
import { root, staleReason } from './build-state.mjs';

if (staleReason()) execSync('npm run build', { cwd: root, stdio: 'inherit' });
