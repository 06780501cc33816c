// A damaged data directory never loses data silently and never crash-loops: the real server cuts a
// torn tail with a warning and starts; any other damage makes the whole server exit with
// EXIT_STORE_DAMAGED and one line naming the file and offset; `npm run repair` then keeps what is
// sound (scores survive) and backs up what it replaced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFile } from 'node:child_process';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { applyChange, indexState, stateOf } from '../../server/coordinator/store/apply.js';
import { EXIT_STORE_DAMAGED } from '../../server/coordinator/store/cannot-load.js';
import type { Change } from '../../server/coordinator/store/types.js';
import { MAIN, coordinatorPid, logLines, startServer, type TestServer } from '../helpers/server.js';

const REPAIR = path.join(path.dirname(MAIN), 'coordinator/store/repair-cli.js');
const sess = (id: string, name: string): Change => ({ k: 'session', s: { id, tokenHash: `hash-${id}`, name, room: 'r', score: 0 } });

/**
 * A store as a server leaves it after two checkpoints: checkpoint.bin (gen 2), checkpoint.prev.bin
 * (gen 1), log.1 and log.2. Returns the data dir and the offsets of log.2's records.
 */
async function seed(): Promise<{ data: string; world: string; log2: string; offsets: number[] }> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-damage-'));
  const world = path.join(data, 'world');
  const s = new FileStore(world);
  const ix = indexState(await s.open());
  const apply = (cs: Change[]) => {
    s.append(cs);
    for (const c of cs) applyChange(ix, c);
  };
  apply([{ k: 'room', r: { id: 'r', slot: 0, capacity: 16 } }, sess('p1', 'ann'), sess('p2', 'bob'), { k: 'nextPlayer', n: 3 }]);
  apply([{ k: 'score', id: 'p1', score: 3 }]);
  await s.checkpoint(stateOf(ix));
  apply([{ k: 'score', id: 'p1', score: 5 }]);
  apply([{ k: 'score', id: 'p2', score: 4 }]);
  await s.checkpoint(stateOf(ix));
  const log2 = path.join(world, 'log.2');
  const offsets: number[] = [];
  for (const cs of [[{ k: 'score', id: 'p1', score: 9 }], [{ k: 'score', id: 'p2', score: 6 }], [{ k: 'score', id: 'p1', score: 11 }]] as Change[][]) {
    offsets.push(fs.statSync(log2).size);
    apply(cs);
  }
  await s.close();
  expect(fs.readdirSync(world).sort()).toEqual(['checkpoint.bin', 'checkpoint.prev.bin', 'log.1', 'log.2']);
  return { data, world, log2, offsets };
}

/** Starts a server on `data` that must refuse it: resolves with its exit code and output. */
async function refused(data: string): Promise<{ code: number | null; out: string; server: TestServer }> {
  const server = await startServer({ workers: 1, dataDir: data, noWait: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not exit on a damaged store:\n${server.logs.join('\n')}`)), 30_000);
    server.proc.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  return { code, out: server.logs.join('\n'), server };
}

function repair(data: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [REPAIR, '--data', data, ...extra], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

async function leaderboardAfterStart(data: string): Promise<Record<string, number>> {
  const server = await startServer({ workers: 1, dataDir: data });
  try {
    const l = (await (await fetch(`http://127.0.0.1:${server.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
    return Object.fromEntries(l.map((e) => [e.name, e.score]));
  } finally {
    await server.stop();
  }
}

/** The server refused with one clear line naming the file and offset, exactly once (no restart loop). */
function expectRefusal(r: { code: number | null; out: string; server: TestServer }, file: string, offset: number): void {
  expect(r.code).toBe(EXIT_STORE_DAMAGED);
  const line = r.out.split('\n').find((l) => l.startsWith('shoal: world store damaged'));
  expect(line, r.out).toBeDefined();
  expect(line).toContain(`${file}: `);
  expect(line).toContain(`at offset ${offset}`);
  expect(line).toContain('npm run repair -- --data');
  expect(logLines(r.server).filter((l) => l.role === 'coordinator' && l.code === 'STORE_DAMAGED')).toHaveLength(1);
  expect(logLines(r.server).some((l) => l.msg === 'shoal listening')).toBe(false);
}

describe('a damaged world store', () => {
  it('flipped byte mid-log: refuses to start; repair drops only that record and keeps every later score', async () => {
    const { data, log2, offsets } = await seed();
    const buf = fs.readFileSync(log2);
    buf[offsets[0]! + 12]! ^= 0x01;
    fs.writeFileSync(log2, buf);
    expectRefusal(await refused(data), log2, offsets[0]!);

    const check = await repair(data, '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(`${log2}: record fails its checksum at offset ${offsets[0]}`);
    expect(fs.readFileSync(log2)).toEqual(buf); // --check changes nothing
    const r = await repair(data);
    expect(r.code, r.out).toBe(0);
    const backup = /the old files are in (\S+)/.exec(r.out)![1]!;
    expect(fs.readFileSync(path.join(backup, 'log.2'))).toEqual(buf);
    // ann's 9 was in the damaged record; her later 11 and bob's 6 survive.
    expect(await leaderboardAfterStart(data)).toEqual({ ann: 11, bob: 6 });
  });

  it('torn tail: cuts the incomplete last record with a warning and starts with everything before it', async () => {
    const { data, log2 } = await seed();
    const whole = fs.statSync(log2).size;
    fs.appendFileSync(log2, Buffer.from([0, 0, 0, 30, 9, 9, 9, 9, 0x91, 0x82]));
    const server = await startServer({ workers: 1, dataDir: data });
    try {
      const warn = await server.waitForLog((l) => l.code === 'STORE_TORN_TAIL');
      expect(warn).toMatchObject({ level: 40, file: log2, offset: whole, bytes: 10 });
      const l = (await (await fetch(`http://127.0.0.1:${server.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
      expect(Object.fromEntries(l.map((e) => [e.name, e.score]))).toEqual({ ann: 11, bob: 6 });
    } finally {
      await server.stop();
    }
  });

  it('deleted checkpoint: refuses to start (no silent start from the log alone); repair rolls back to the previous generation', async () => {
    const { data, world } = await seed();
    fs.rmSync(path.join(world, 'checkpoint.bin'));
    expectRefusal(await refused(data), path.join(world, 'checkpoint.bin'), 0);
    const r = await repair(data);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('rebuilt from checkpoint.prev.bin (generation 1)');
    expect(await leaderboardAfterStart(data)).toEqual({ ann: 11, bob: 6 });
  });

  it('corrupt checkpoint: refuses to start (no crash loop); repair rolls back to the previous generation', async () => {
    const { data, world } = await seed();
    const cp = path.join(world, 'checkpoint.bin');
    const buf = fs.readFileSync(cp);
    buf[buf.length - 3]! ^= 0x20;
    fs.writeFileSync(cp, buf);
    expectRefusal(await refused(data), cp, 16);
    const r = await repair(data);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('checkpoint fails its checksum');
    expect(await leaderboardAfterStart(data)).toEqual({ ann: 11, bob: 6 });
  });

  it('checksum-valid record of the wrong shape: refuses to start; repair drops it and keeps the record after it', async () => {
    const { data, log2 } = await seed();
    const at = fs.statSync(log2).size;
    const packr = new Packr({ useRecords: false, mapsAsObjects: true });
    const raw = (v: unknown) => {
      const body = packr.pack(v);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length, 0);
      head.writeUInt32BE(zlib.crc32(body), 4);
      return Buffer.concat([head, body]);
    };
    fs.appendFileSync(log2, Buffer.concat([raw([{ k: 'score', id: 'p2', score: 'lots' }]), raw([{ k: 'score', id: 'p1', score: 13 }])]));
    const refusal = await refused(data);
    expectRefusal(refusal, log2, at);
    expect(refusal.out).toContain('wrong shape');
    const r = await repair(data);
    expect(r.code, r.out).toBe(0);
    expect(await leaderboardAfterStart(data)).toEqual({ ann: 13, bob: 6 });
  });

  it('a coordinator restarted mid-run onto damage takes the whole server down with the same line and code', async () => {
    const { data, log2, offsets } = await seed();
    const server = await startServer({ workers: 1, dataDir: data });
    const exited = new Promise<number | null>((resolve) => server.proc.once('exit', (c) => resolve(c)));
    try {
      const buf = fs.readFileSync(log2);
      buf[offsets[1]! + 9]! ^= 0x40;
      fs.writeFileSync(log2, buf);
      process.kill(coordinatorPid(server), 'SIGKILL');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
      expect(code).toBe(EXIT_STORE_DAMAGED);
      expect(server.logs.join('\n')).toContain(`shoal: world store damaged: ${log2}: record fails its checksum at offset ${offsets[1]}`);
      // Exactly one restart was tried: the damage is not retried in a loop.
      expect(logLines(server).filter((l) => l.role === 'coordinator' && l.code === 'STORE_DAMAGED')).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('repair refuses to touch a store while its server runs', async () => {
    const { data } = await seed();
    const server = await startServer({ workers: 1, dataDir: data });
    try {
      const r = await repair(data);
      expect(r.code).toBe(3);
      expect(r.out).toContain('is running');
    } finally {
      await server.stop();
    }
  });
});
