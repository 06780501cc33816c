// The heap-snapshot diff used to look for leaks counts what a real process still holds: objects
// kept alive between two snapshots show up by constructor, objects let go do not.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOOL = path.join(REPO, 'dist/loadtest/report/heap-snapshot-diff.js');
const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-heapdiff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A child process snapshots itself, makes 500 KeptSession and 500 DroppedSession objects, keeps
// only the first in a Map (the shape of a per-connection leak), and snapshots again.
const CHILD = `
const v8 = require('node:v8');
class KeptSession { constructor(i) { this.id = 's' + i; } }
class DroppedSession { constructor(i) { this.id = 'd' + i; } }
const books = new Map();
v8.writeHeapSnapshot(process.argv[1]);
for (let i = 0; i < 500; i++) { books.set(i, new KeptSession(i)); new DroppedSession(i); }
v8.writeHeapSnapshot(process.argv[2]);
globalThis.books = books;
`;

describe('heap-snapshot-diff', () => {
  it('reports objects a process kept between two snapshots by constructor, and not those it let go', async () => {
    const before = path.join(dir, 'before.heapsnapshot');
    const after = path.join(dir, 'after.heapsnapshot');
    await run(process.execPath, ['-e', CHILD, before, after], { timeout: 60_000 });
    const { stdout } = await run(process.execPath, [TOOL, before, after, '1000'], { timeout: 60_000 });
    const row = (kind: string) => stdout.split('\n').find((l) => l.startsWith(`${kind} |`));
    expect(row('object KeptSession')).toMatch(/^object KeptSession \| 0 \| 500 \| \d+$/);
    expect(row('object DroppedSession')).toBeUndefined();
    expect(stdout).toMatch(/^live heap \d+ -> \d+ bytes \(\d+\)/);
  }, 120_000);
});
