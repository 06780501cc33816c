// The project's copy of the contract holds the shared contract word for word, every error code
// the code knows is documented, and every setting is in the README.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/protocol/messages.js';
import { SETTINGS, flagName } from '../../server/config/schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const doc = fs.readFileSync(path.join(root, 'docs/PROTOCOL.md'), 'utf8');

it('keeps the shared contract word for word in docs/PROTOCOL.md', () => {
  const shared = path.join(root, '../shared/PROTOCOL.md');
  if (!fs.existsSync(shared)) {
    console.warn('../shared/PROTOCOL.md not found beside the checkout; comparing only the local copy');
    expect(doc).toContain('# Shoal client protocol, version 1');
    return;
  }
  expect(doc.startsWith(fs.readFileSync(shared, 'utf8').trimEnd())).toBe(true);
});

it('documents every error code the server can send, with its fatality', () => {
  for (const [code, fatal] of Object.entries(ERROR_CODES)) {
    expect(doc).toContain(`\`${code}\``);
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\``));
    if (row) expect(row.trim().endsWith(fatal ? '| yes |' : '| no |')).toBe(true);
  }
});

it('lists every setting in the README with its flag', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const key of Object.keys(SETTINGS)) expect(readme).toContain(`--${flagName(key)}`);
});
