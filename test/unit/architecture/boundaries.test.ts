// The import-boundary check (.dependency-cruiser.cjs, `npm run boundaries`) is only worth having if
// it fails on a violation: this runs the real configuration over a tiny made-up tree that breaks
// each rule exactly once (plus imports every rule allows), and expects exactly those violations;
// then over the real tree, where it expects none.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CONFIG = path.join(root, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const FOLDERS = ['server', 'shared', 'client-sim', 'loadtest', 'test', 'web'];

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** Runs depcruise with the project's configuration in `cwd`; resolves its violations. */
function cruise(cwd: string): Promise<Violation[]> {
  const present = FOLDERS.filter((f) => fs.existsSync(path.join(cwd, f)));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, ...present, '--config', CONFIG, '--output-type', 'json'],
      { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 170_000 },
      (err, stdout, stderr) => {
        // depcruise exits non-zero when it finds violations; only unreadable output is a failure here.
        try {
          const out = JSON.parse(stdout) as { summary: { violations: Violation[] } };
          resolve(out.summary.violations);
        } catch {
          reject(new Error(`depcruise gave no JSON (${err?.message ?? 'no error'}): ${stderr}`));
        }
      },
    );
  });
}

const line = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

// One file per entry: path -> the relative imports it makes. Comments say which rule each breaks;
// every forbidden import points at a leaf in a folder that reaches nothing back (a folder counts
// with its sub-folders), so no violation also makes a cycle.
const FIXTURE: Record<string, string[]> = {
  'server/game-api/room.ts': [
    '../../shared/wire.js', // allowed: game-api -> shared
    '../coordinator/leaf.js', // game-api-is-a-leaf
  ],
  'server/games/demo/game.ts': [
    '../../game-api/room.js', // allowed
    '../../../shared/wire.js', // allowed
    './rules.js', // allowed: within its own game
    '../../coordinator/leaf.js', // games-only-game-api-and-shared
    '../other/other.js', // games-not-each-other
  ],
  'server/games/demo/rules.ts': [],
  'server/games/other/other.ts': ['../../game-api/room.js'],
  'server/worker/rooms/host.ts': ['../../games/demo/game.js'], // allowed: the server runs games
  'server/worker/leaf.ts': [],
  'server/coordinator/leaf.ts': [],
  'shared/wire.ts': [],
  'shared/client.ts': ['./wire.js', '../server/log/log.js'], // shared-imports-no-app-code
  'server/log/log.ts': [],
  'client-sim/sim.ts': ['../shared/client.js'], // allowed
  'loadtest/bench.ts': [
    '../shared/wire.js', // allowed
    '../client-sim/sim.js', // allowed
    '../server/primary/main.js', // tools-not-server-internals
  ],
  'server/primary/main.ts': ['../console/cmd.js'], // allowed: the primary hosts the console
  'server/console/cmd.ts': ['../worker/leaf.js'], // console-not-primary-or-worker
  'server/http/site.ts': ['../../test/helpers/h.js'], // production-not-tests
  'server/metrics/m.ts': ['../../client-sim/sim.js'], // server-not-tools
  'test/helpers/h.ts': ['../../server/worker/rooms/host.js'], // allowed: tests import anything
  // a file cycle (a <-> b) in one folder: reported once, from the first file of the cycle
  'server/coordinator/a.ts': ['./b.js'],
  'server/coordinator/b.ts': ['./a.js'],
  // a folder cycle with no file cycle: net/conn -> session/s, session/t -> net/frame
  'server/worker/net/conn.ts': ['../session/s.js'],
  'server/worker/net/frame.ts': [],
  'server/worker/session/s.ts': [],
  'server/worker/session/t.ts': ['../net/frame.js'],
};

const EXPECTED = [
  'game-api-is-a-leaf: server/game-api/room.ts -> server/coordinator/leaf.ts',
  'games-only-game-api-and-shared: server/games/demo/game.ts -> server/coordinator/leaf.ts',
  'games-not-each-other: server/games/demo/game.ts -> server/games/other/other.ts',
  'shared-imports-no-app-code: shared/client.ts -> server/log/log.ts',
  'tools-not-server-internals: loadtest/bench.ts -> server/primary/main.ts',
  'console-not-primary-or-worker: server/console/cmd.ts -> server/worker/leaf.ts',
  'production-not-tests: server/http/site.ts -> test/helpers/h.ts',
  'server-not-tools: server/metrics/m.ts -> client-sim/sim.ts',
  'no-file-cycles: server/coordinator/a.ts -> server/coordinator/b.ts',
  'no-folder-cycles: server/worker/net -> server/worker/session',
  'no-folder-cycles: server/worker/session -> server/worker/net',
].sort();

describe('import boundaries (.dependency-cruiser.cjs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-boundaries-'));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    );
    for (const [file, imports] of Object.entries(FIXTURE)) {
      const full = path.join(dir, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      const body = imports.map((to, i) => `import * as m${i} from '${to}';\nexport const u${i} = m${i};\n`).join('');
      fs.writeFileSync(full, `${body}export const here = '${file}';\n`);
    }
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports each broken rule, and nothing that a rule allows', async () => {
    const found = (await cruise(dir)).map(line).sort();
    expect(found).toEqual(EXPECTED);
  }, 180_000);

  it('finds no violation in the real tree', async () => {
    const found = (await cruise(root)).map(line);
    expect(found).toEqual([]);
  }, 180_000);
});
