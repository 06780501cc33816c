// What the package's types promise a game author, checked by TypeScript itself on a project that
// imports 'shoal' as an author's would (a temporary folder with node_modules/shoal linking this
// repository): a game and its settings type-check; a game that needs settings and is given none,
// a room missing a hook, a state collection mis-declared, or a server setting misspelt or of the wrong type do not (each line marked
// @ts-expect-error, which is itself an error if the types let the line through).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const PROBE = `// @ts-check
import { createServer, defineGame, withSettings, StateSync, Type } from 'shoal';
import { ShoalClient, tcpConnector } from 'shoal/client';

const room = { size: 0, join() {}, leave() {}, setFrozen() {}, message() {}, snapshot: () => ({}) };
const plain = defineGame({ name: 'plain', messages: { go: Type.Object({ to: Type.Integer() }) }, create: () => room });
const needsSettings = defineGame({ name: 'needs', create: (_ctx, /** @type {{ rounds: number }} */ settings) => ({ ...room, snapshot: () => settings.rounds }) });

await createServer({ games: [plain, withSettings(needsSettings, { rounds: 3 })], settings: { port: 0 } });
// @ts-expect-error a game that needs settings, given none
await createServer({ games: [needsSettings] });
// @ts-expect-error settings of the wrong type
withSettings(needsSettings, { rounds: 'three' });
// @ts-expect-error a room without its hooks
defineGame({ name: 'broken', create: () => ({ size: 0 }) });
// @ts-expect-error a setting of the wrong type
await createServer({ games: [plain], settings: { port: '8000' } });
// @ts-expect-error a setting that does not exist
await createServer({ games: [plain], settings: { prot: 8000 } });
// The state helper with a view per team, over a room's context.
/** @param {import('shoal').RoomContext} ctx */
const fogSync = (ctx) => new StateSync(ctx, { view: (id) => id.slice(0, 1) })
  .collection('units', { wire: (/** @type {{ id: string, team: string }} */ u) => [u.id, u.team], visible: (u, team) => u.team === team });
// @ts-expect-error a collection's message field is a string
new StateSync({ broadcast() {}, send() {} }).collection('units', { wire: (/** @type {number} */ n) => n, field: 7 });
// @ts-expect-error a client needs a connector
new ShoalClient({ name: 'x' });
new ShoalClient({ name: 'x', connector: tcpConnector('127.0.0.1', 8000), game: 'plain' });
`;

it('lets a game author write a game and a server, and refuses what would not run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-types-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'shoal'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'probe', type: 'module', private: true }));
  fs.writeFileSync(path.join(dir, 'probe.js'), PROBE);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true, checkJs: true, noEmit: true, strict: true,
      skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')],
    },
    include: ['probe.js'],
  }));
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, timeout: 120_000 }, (error, out, err) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${out}${err}` }));
  });
  expect(r.out).toBe('');
  expect(r.code).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
}, 150_000);
