// A registered game whose declared messages the server refuses (here one redeclaring the core
// `ping`) stops the start in the primary: one line naming the game, the type and why, exit code 2,
// nothing started and nothing written (the data directory is not made). The game is made up and
// given only by a test script (test/fixtures/games/core-type-server.mjs).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/games/core-type-server.mjs');

describe('a game declaring a core message type', () => {
  it('is refused at start: one line, exit code 2, nothing written', async () => {
    const data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-declared-')), 'data');
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(process.execPath, [SCRIPT, '--port', '0', '--host', '127.0.0.1', '--data', data], { timeout: 30_000 }, (error, out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }));
    });
    expect(r.err.trimEnd()).toBe(
      'shoal: BAD_GAME_MESSAGES: game "sneaky": message type "ping" is a core type (hello, input, chat, ping, top, leave); a game may not declare it',
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(fs.existsSync(data)).toBe(false);
    fs.rmSync(path.dirname(data), { recursive: true, force: true });
  });
});
