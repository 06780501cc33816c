// The docs and the code say the same thing, both ways, row by row:
//  - docs/PROTOCOL.md starts with the shared contract (../shared/PROTOCOL.md beside the clone), word
//    for word;
//  - every error code in shared/protocol/messages.ts has one row, with its fatality, in an error
//    code table (`| code | when | fatal |`) of docs/PROTOCOL.md, and every row there is a code;
//  - every setting in server/config/schema.ts (and every flag `--help` lists) has one row in
//    README.md's configuration table with its flag, environment variable and default, and every
//    row there is a setting;
//  - every console command in the command table has a row in docs/CONSOLE.md, and every row there
//    is a command;
//  - every HTTP path the router serves is documented in docs/PROTOCOL.md, and every documented
//    path is served (asked of a running server).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/protocol/messages.js';
import { SETTINGS, envName, flagName, type SettingName } from '../../server/config/schema.js';
import { usage } from '../../server/config/load.js';
import { TABLE } from '../../server/console/commands/index.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { codeSpans, plain, tablesWithHeader } from './markdown-tables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
const protocol = read('docs/PROTOCOL.md');

/** Names that occur more than once in a list. */
const dupes = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
const missing = (want: Iterable<string>, have: Set<string>) => [...want].filter((x) => !have.has(x));

describe('docs/PROTOCOL.md', () => {
  it('starts with the shared contract, word for word', () => {
    // CI lays the shared folder beside the clone; SHOAL_SHARED_DIR points elsewhere (a worktree).
    const dir = process.env.SHOAL_SHARED_DIR ?? path.join(root, '../shared');
    const shared = path.join(dir, 'PROTOCOL.md');
    if (!fs.existsSync(shared)) {
      throw new Error(
        `the shared contract ${shared} is missing, so docs/PROTOCOL.md cannot be checked against it: ` +
          'put the shared folder beside the clone (../shared) or set SHOAL_SHARED_DIR to it',
      );
    }
    const contract = fs.readFileSync(shared, 'utf8').trimEnd();
    expect(contract.length).toBeGreaterThan(1000);
    if (!protocol.startsWith(contract)) {
      const a = protocol.split('\n');
      const b = contract.split('\n');
      const i = b.findIndex((l, k) => a[k] !== l);
      throw new Error(`docs/PROTOCOL.md differs from ${shared} at line ${i + 1}:\n  shared: ${b[i]}\n  docs:   ${a[i]}`);
    }
  });

  it('has one row per error code with its fatality, and no row for a code the server lacks', () => {
    const rows = tablesWithHeader(protocol, ['code', 'when', 'fatal']).flatMap((t) => t.rows);
    expect(rows.length, 'no `| code | when | fatal |` table in docs/PROTOCOL.md').toBeGreaterThan(0);
    const documented = new Map<string, string>();
    for (const r of rows) documented.set(plain(r[0]!), r[2]!);
    const names = rows.map((r) => plain(r[0]!));
    expect(dupes(names), 'codes with more than one row').toEqual([]);
    expect(missing(Object.keys(ERROR_CODES), new Set(names)), 'codes in shared/protocol/messages.ts with no row in docs/PROTOCOL.md').toEqual([]);
    expect(missing(names, new Set(Object.keys(ERROR_CODES))), 'rows in docs/PROTOCOL.md for codes shared/protocol/messages.ts does not have').toEqual([]);
    const wrong = Object.entries(ERROR_CODES)
      .filter(([code, fatal]) => documented.get(code) !== (fatal ? 'yes' : 'no'))
      .map(([code, fatal]) => `${code}: code says fatal=${fatal}, docs say "${documented.get(code)}"`);
    expect(wrong, 'codes whose fatality docs/PROTOCOL.md gives otherwise').toEqual([]);
  });
});

describe("README.md's configuration table", () => {
  const tables = tablesWithHeader(read('README.md'), ['flag', 'environment', 'default', 'what']);
  const rows = tables.flatMap((t) => t.rows).map((r) => ({ flag: plain(r[0]!), env: plain(r[1]!), def: plain(r[2]!), what: r[3]! }));
  // Defaults the schema computes on the machine it runs on are described in words.
  const described: Partial<Record<SettingName, string>> = { workers: 'one per core', console: '<data>/console.sock' };

  it('exists, once', () => {
    expect(tables).toHaveLength(1);
  });

  it('has one row per setting, and a row only for a setting', () => {
    // What `npm start -- --help` lists: every setting, and --config.
    const helpFlags = [...usage().matchAll(/^\s+(--[a-z0-9-]+)\s/gm)].map((m) => m[1]!);
    expect(helpFlags).toEqual(expect.arrayContaining(Object.keys(SETTINGS).map((k) => `--${flagName(k)}`)));
    const flags = rows.map((r) => r.flag);
    expect(dupes(flags), 'flags with more than one row').toEqual([]);
    expect(missing(helpFlags, new Set(flags)), 'flags --help lists with no row in README.md').toEqual([]);
    expect(missing(flags, new Set(helpFlags)), 'rows in README.md for flags the server does not know').toEqual([]);
  });

  it("gives each setting's environment variable and default as the schema has them", () => {
    const byFlag = new Map(rows.map((r) => [r.flag, r]));
    expect(SETTINGS.workers.default).toBe(os.availableParallelism());
    const wrong: string[] = [];
    for (const key of Object.keys(SETTINGS) as SettingName[]) {
      const row = byFlag.get(`--${flagName(key)}`);
      if (!row) continue; // reported above
      if (row.env !== envName(key)) wrong.push(`--${flagName(key)}: README says env ${row.env}, the schema ${envName(key)}`);
      const def = described[key] ?? String(SETTINGS[key].default);
      if (row.def !== def) wrong.push(`--${flagName(key)}: README says default ${row.def}, the schema ${def}`);
    }
    const config = byFlag.get('--config');
    if (config && (config.env !== 'SHOAL_CONFIG_FILE' || !/SHOAL_CONFIG_FILE/.test(usage()))) wrong.push('--config: env is SHOAL_CONFIG_FILE');
    expect(wrong, 'README.md rows that differ from server/config/schema.ts').toEqual([]);
  });
});

describe("docs/CONSOLE.md's command table", () => {
  const tables = tablesWithHeader(read('docs/CONSOLE.md'), ['command', 'what it does']);

  it('has a row for every console command, and a row only for a command', () => {
    expect(tables).toHaveLength(1);
    // A cell may name more than one form: `drain N` / `undrain N`.
    const names = tables[0]!.rows.flatMap((r) => codeSpans(r[0]!).map((s) => s.split(/\s+/)[0]!));
    const documented = new Set(names);
    expect(missing(TABLE.keys(), documented), 'commands with no row in docs/CONSOLE.md').toEqual([]);
    expect(missing(documented, new Set(TABLE.keys())), 'rows in docs/CONSOLE.md for commands the console does not have').toEqual([]);
  });
});

describe('HTTP endpoints', () => {
  const routed = [...read('server/http/router.ts').matchAll(/case '(\/[^']*)':/g)].map((m) => m[1]!);
  const documented = new Set([...protocol.matchAll(/`(?:GET|HEAD) (\/[^`?\s]*)/g)].map((m) => m[1]!));
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('documents every path the router serves', () => {
    expect(routed.length).toBeGreaterThan(0);
    expect(missing(routed, documented), 'paths in server/http/router.ts that docs/PROTOCOL.md does not name as `GET /path`').toEqual([]);
  });

  it('serves every documented path', async () => {
    expect(documented.size).toBeGreaterThan(0);
    const notServed: string[] = [];
    for (const p of documented) {
      const res = await fetch(`http://127.0.0.1:${server.port}${p}`);
      await res.arrayBuffer();
      if (res.status === 404) notServed.push(p);
    }
    expect(notServed, 'paths docs/PROTOCOL.md documents that the server answers with 404').toEqual([]);
  });
});
