// The error-code catalogue (server/errors/catalogue.ts) is complete: every code the source can
// produce — a CodedError, a protocol `error`, an HTTP error body, a console refusal — is listed
// with its meaning, and every code met at the console is in docs/CONSOLE.md's codes table.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, consoleCodes } from '../../../server/errors/catalogue.js';
import { ERROR_CODES } from '../../../shared/protocol/messages.js';
import { hostGames } from '../../../server/games/index.js';
import { testConfig } from '../worker/fakes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

// The ways a code leaves the server, each with the code as a string literal.
const PRODUCERS = [
  /new CodedError\(\s*'([A-Z][A-Z0-9_]*)'/g, // the one error type
  /errorMsg\(\s*'([A-Z][A-Z0-9_]*)'/g, // a protocol error frame
  /\.error\(\s*'([A-Z][A-Z0-9_]*)'/g, // conn.error(code, message)
  /\brefuse\(\s*'([A-Z][A-Z0-9_]*)'/g, // the console connection's refusals
  /\berror: '([A-Z][A-Z0-9_]*)'/g, // an HTTP error body
  /(?:error: |CodedError\()[\w?.]+ \?\? '([A-Z][A-Z0-9_]*)'/g, // a fallback for an error that came without a code
  /\{ code: '([A-Z][A-Z0-9_]*)', message: /g, // a request/reply time limit's error (RequestReply builds the CodedError)
];

function producedCodes(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of [...sources(path.join(ROOT, 'server')), ...sources(path.join(ROOT, 'shared'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const re of PRODUCERS) {
      for (const m of text.matchAll(re)) {
        const where = `${path.relative(ROOT, file)}:${text.slice(0, m.index).split('\n').length}`;
        found.set(m[1]!, [...(found.get(m[1]!) ?? []), where]);
      }
    }
  }
  return found;
}

describe('error-code catalogue', () => {
  it('lists every code the server and shared code can produce, each with a meaning', () => {
    const found = producedCodes();
    // The scan itself works: it sees codes of each kind.
    for (const c of ['UNKNOWN_COMMAND', 'CHANNEL_TIMEOUT', 'HELLO_TIMEOUT', 'LINE_TOO_LONG', 'METHOD_NOT_ALLOWED', 'WORKER_NOT_RUNNING']) {
      expect(found.has(c), `scan finds ${c}`).toBe(true);
    }
    const missing = [...found].filter(([c]) => !CATALOGUE.has(c)).map(([c, at]) => `${c} (${at.join(', ')})`);
    expect(missing, 'codes produced but not in server/errors/catalogue.ts').toEqual([]);
    for (const [code, e] of CATALOGUE) {
      expect(e.meaning.length, `${code} has a meaning`).toBeGreaterThan(10);
      expect(e.where.length, `${code} says where it is met`).toBeGreaterThan(0);
    }
  });

  it('takes every protocol code from the protocol table', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(CATALOGUE.get(code)?.where).toContain('protocol');
    const protocol = [...CATALOGUE].filter(([, e]) => e.where.includes('protocol')).map(([c]) => c);
    expect(protocol.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("lists every registered game's own codes (Game.errors) as game codes, in docs/PROTOCOL.md too", () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/PROTOCOL.md'), 'utf8');
    for (const game of hostGames(testConfig()).values()) {
      for (const code of Object.keys(game.errors)) {
        expect(CATALOGUE.get(code)?.where, code).toContain('game');
        expect(doc, `${code} in docs/PROTOCOL.md`).toMatch(new RegExp(`\\| \`${code}\` \\|`));
      }
    }
  });

  it('documents every console code in docs/CONSOLE.md, and no other', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/CONSOLE.md'), 'utf8');
    const start = doc.indexOf('## Error codes');
    expect(start, 'docs/CONSOLE.md has an "## Error codes" section').toBeGreaterThan(0);
    const end = doc.indexOf('\n## ', start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const rows = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!));
    const undocumented = consoleCodes().filter((c) => !rows.has(c));
    expect(undocumented, 'console codes missing from the table in docs/CONSOLE.md').toEqual([]);
    const stray = [...rows].filter((c) => !consoleCodes().includes(c));
    expect(stray, 'codes in the docs table that the catalogue does not list for the console').toEqual([]);
  });
});
