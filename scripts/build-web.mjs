// Builds the browser client: type-checks web/ (browser globals only), bundles web/main.ts with
// the shared client library and msgpackr into dist/web/app.js, and copies the page and its CSS.
// Runs as the second half of `npm run build`, so `npm start` and `npm test` always serve a fresh one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const outDir = path.join(root, 'dist', 'web');

// esbuild strips types without checking them; tsc checks them without emitting.
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(webDir, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build-web: type errors in web/');
  process.exit(1);
}

// Build into a scratch directory, then move each file into place with an atomic rename: a server
// running from dist/ (tests, a developer's `npm start`) never sees a missing or half-written file.
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
const stage = fs.mkdtempSync(path.join(root, 'dist', '.web-'));
let result;
try {
  result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: 'web/main.ts', 'app-css': 'web/app.css' },
    outdir: stage,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers from the last few years; no polyfills needed for what the page uses.
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });

  // esbuild names a CSS entry after its key; the page links /app.css.
  fs.renameSync(path.join(stage, 'app-css.css'), path.join(stage, 'app.css'));
  fs.renameSync(path.join(stage, 'app-css.css.map'), path.join(stage, 'app.css.map'));
  fs.writeFileSync(
    path.join(stage, 'app.css'),
    fs.readFileSync(path.join(stage, 'app.css'), 'utf8').replace('app-css.css.map', 'app.css.map'),
  );
  fs.copyFileSync(path.join(webDir, 'index.html'), path.join(stage, 'index.html'));

  fs.mkdirSync(outDir, { recursive: true });
  const built = new Set(fs.readdirSync(stage));
  for (const name of built) fs.renameSync(path.join(stage, name), path.join(outDir, name));
  for (const name of fs.readdirSync(outDir)) if (!built.has(name)) fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith('.map'))
  .map(([file, o]) => `${path.basename(file).replace('app-css.css', 'app.css')} ${(o.bytes / 1024).toFixed(1)} KiB`);
console.log(`build-web: dist/web/ <- ${sizes.join(', ')}, index.html`);
