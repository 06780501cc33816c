// --games MODULE (SHOAL_GAMES): a module's games run beside the built-in ones with no server script
// of one's own; a module that cannot be loaded, that holds no games, or whose game takes a name
// already given or off the name pattern, stops the start with one line and exit code 2 (as any bad setting), before
// anything is started or written. Duplicate names given in code (createServer) are refused alike.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, logLines, startServer, until, type TestServer } from '../helpers/server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/games');

describe('a module of games beside the built-in ones', () => {
  let server: TestServer;
  beforeAll(async () => {
    // By the environment variable; the flag is the same setting (the refusals below use the flag).
    server = await startServer({ workers: 2, env: { SHOAL_GAMES: path.relative(process.cwd(), path.join(FIXTURES, 'tally-module.mjs')) } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs the arena and the module\'s game in every process', async () => {
    expect(logLines(server).find((l) => l.msg === 'shoal listening')?.games).toEqual(['arena', 'tally']);
    await until(() => logLines(server).filter((l) => l.msg === 'worker ready').length === 2, 15_000, 'both workers ready');
    for (const l of logLines(server).filter((x) => x.msg === 'worker ready')) expect(l.games).toEqual(['arena', 'tally']);
    // The coordinator reports both games' world values.
    const h = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json();
    expect(h).toMatchObject({ status: 'ok', coinsTaken: 0, tallyTotal: 0 });
    // A v1 client (no game named) still plays the arena.
    const c = server.client({ transport: 'tcp', name: 'vee' });
    const w = await c.connect();
    expect(w.room).toMatch(/^arena-/);
    expect(w.world).toEqual({ w: 1000, h: 1000 });
    c.close();
    // And a hello naming the module's game plays it (in a room of its own: quick-join by game is
    // the matchmaker's, not this test's).
    const t = server.client({ transport: 'ws', name: 'tee', game: 'tally', room: 'tee-room' });
    const wt = await t.connect();
    expect(wt.game).toBe('tally');
    const told = t.next('tally' as 'top', undefined, 10_000);
    t.input(1, 1);
    expect(await told).toEqual({ t: 'tally', by: wt.id, total: 1 });
    t.close();
  });
});

/** Starts a script with a fresh data directory and port 0; resolves with its exit code and output. */
function run(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string; data: string }> {
  const data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-games-')), 'data');
  return new Promise((resolve) => {
    execFile(process.execPath, [script, '--port', '0', '--host', '127.0.0.1', '--data', data, ...args], { timeout: 30_000 }, (error, out, err) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err, data }));
  });
}

describe('refused at start, with one line and exit code 2', () => {
  const cases: Array<[string, string, string[], RegExp]> = [
    ['a module path that does not exist', MAIN, ['--games', 'no/such/games.mjs'], /^shoal: --games \/.*no\/such\/games\.mjs: cannot be loaded: .*Cannot find module/],
    ['a module with no games', MAIN, ['--games', path.join(FIXTURES, 'no-games.mjs')], /^shoal: --games .*no-games\.mjs: holds no games; its default export \(or a `games` export\) must be an array of games$/],
    ['a module game named like a built-in one', MAIN, ['--games', path.join(FIXTURES, 'arena-again.mjs')], /^shoal: two games are named "arena"; each game needs its own name$/],
    ['a module game whose name is off the protocol pattern', MAIN, ['--games', path.join(FIXTURES, 'bad-name.mjs')], /^shoal: game name "Tally Two" must be 1\.\.32 of \[a-z0-9-\]$/],
    ['two games of one name given to createServer', path.join(FIXTURES, 'twice-server.mjs'), [], /^shoal: two games are named "tally"; each game needs its own name$/],
  ];
  for (const [what, script, args, line] of cases) {
    it(what, async () => {
      const r = await run(script, args);
      expect(r.code).toBe(2);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err.trimEnd()).toMatch(line);
      expect(r.out).toBe('');
      // Nothing was started or written.
      expect(fs.existsSync(r.data)).toBe(false);
    });
  }
});
