// Every repository path README.md and docs/*.md name exists in the tree, so the architecture
// description (docs/ARCHITECTURE.md, README's Architecture section) and the other docs cannot
// drift from the code when files move. Fast: reads files only, starts no server.
// A path is a run of path characters starting with one of the top-level folders below; a glob
// (`*`), a brace list (`{json,md}`) or a placeholder (`<date>`) must match at least one file.
// loadtest/results/*.md (dated run records, history by design) are not docs/*.md and are not read.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOP = ['server', 'shared', 'test', 'loadtest', 'web', 'client-sim', 'scripts', 'ops'];

/** Words that look like paths but are not, each with why. */
const NOT_PATHS: ReadonlyMap<string, string> = new Map([
  ['test/x/y.test.ts', 'README: a placeholder in "npx vitest run test/x/y.test.ts"'],
  ['test/bench', 'docs/WORLD.md: the words "test/bench hook" (a hook for tests and benches)'],
  ['ops/s', 'docs/WORLD.md: a unit, operations a second'],
]);

/** The docs checked: README.md and every docs/*.md. */
function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...docs.sort()];
}

const PATH = new RegExp(`(?<![\\w./-])((?:${TOP.join('|')})/[\\w.\\-/{},*<>]*[\\w/}*>])`, 'g');

/** Every path-looking word of a Markdown text, with its line number. */
function pathsIn(text: string): Array<{ line: number; path: string }> {
  const out: Array<{ line: number; path: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(PATH)) out.push({ line: i + 1, path: m[1]! });
  });
  return out;
}

/** `a.{json,md}` -> `a.json`, `a.md` (nested lists too). */
function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1]!.split(',').flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

let allFiles: string[] | undefined;
function repoFiles(): string[] {
  if (allFiles) return allFiles;
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const r = `${rel}/${e.name}`;
      out.push(e.isDirectory() ? `${r}/` : r);
      if (e.isDirectory()) walk(r);
    }
  };
  for (const t of TOP) if (fs.existsSync(path.join(root, t))) walk(t);
  return (allFiles = out);
}

/** Whether a path named in a doc exists (a pattern: matches at least one file or folder). */
function exists(p: string): boolean {
  return expandBraces(p).every((one) => {
    if (!/[*<]/.test(one)) return fs.existsSync(path.join(root, one));
    const body = one.replace(/\/$/, '').split(/(\*+|<[^>]*>)/).map((part) =>
      part.startsWith('*') || part.startsWith('<') ? '[^/]+' : part.replace(/[.+?^$()|[\]\\]/g, '\\$&'),
    ).join('');
    const re = new RegExp(`^${body}/?$`);
    return repoFiles().some((f) => re.test(f));
  });
}

describe('paths named in README.md and docs/*.md', () => {
  it('finds the paths it is meant to (the finder itself)', () => {
    const found = pathsIn('see `server/ipc/coordinator-ops.ts`, server/worker/net/ and (shared/protocol) but not https://x.org/server/y or a/server/z').map((f) => f.path);
    expect(found).toEqual(['server/ipc/coordinator-ops.ts', 'server/worker/net/', 'shared/protocol']);
    expect(exists('loadtest/results/2026-11-26-<scenario>.{json,md}')).toBe(true);
    expect(exists('loadtest/results/2026-11-26-<scenario>.{json,nope}')).toBe(false);
    expect(exists('server/game/room.ts')).toBe(false);
  });

  it('names only paths that exist', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const f of docFiles()) {
      for (const { line, path: p } of pathsIn(fs.readFileSync(path.join(root, f), 'utf8'))) {
        if (NOT_PATHS.has(p)) continue;
        checked++;
        if (!exists(p)) missing.push(`${f}:${line}: ${p}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('docs/ARCHITECTURE.md names every top-level folder of server/ and shared/', () => {
    const arch = fs.readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    const named = new Set(pathsIn(arch).map((p) => p.path.split('/').slice(0, 2).join('/')));
    const folders = ['server', 'shared'].flatMap((t) =>
      fs.readdirSync(path.join(root, t), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${t}/${e.name}`),
    );
    expect(folders.filter((d) => !named.has(d))).toEqual([]);
  });
});
