// Session tokens are stored only as hashes: the data directory never holds a token a local
// reader could resume someone else's player with. Resuming still works, across a restart too,
// and data written by Shoal 0.1 (raw tokens in its checkpoint and log) still loads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

const args = ['--world-width', '100', '--world-height', '100', '--coins', '20'];

/** Every regular file under dir, with its bytes. */
function files(dir: string): Array<{ p: string; bytes: Buffer }> {
  const out: Array<{ p: string; bytes: Buffer }> = [];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) out.push(...files(p));
    else if (st.isFile()) out.push({ p, bytes: fs.readFileSync(p) });
  }
  return out;
}

function holding(dir: string, text: string): string[] {
  const needle = Buffer.from(text);
  return files(dir).filter((f) => f.bytes.includes(needle)).map((f) => f.p);
}

describe('session tokens', () => {
  it('are never written to the data directory, and still resume the player after a restart', async () => {
    let server = await startServer({ workers: 1, args });
    const dataDir = server.dataDir;
    let token = '';
    let id = '';
    let score = 0;
    try {
      const c = server.client({ transport: 'tcp', name: 'tok-holder', room: 'tok-room' });
      const w = await c.connect();
      token = w.token;
      id = w.id;
      expect(token.length).toBeGreaterThanOrEqual(32);
      score = await collect(c, 2);
      // The session (with its name) is in the world files; its token is not.
      await new Promise((r) => setTimeout(r, 300));
      expect(holding(dataDir, 'tok-holder').length).toBeGreaterThan(0);
      expect(holding(dataDir, token)).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Stopped: the checkpoint holds the session, still without its token.
    expect(holding(dataDir, 'tok-holder')).toContain(path.join(dataDir, 'world', 'checkpoint.bin'));
    expect(holding(dataDir, token)).toEqual([]);

    server = await startServer({ workers: 1, args, dataDir });
    try {
      const back = server.client({ transport: 'tcp', name: 'tok-holder', token });
      const w = await back.connect();
      expect(w).toMatchObject({ resumed: true, id, token, room: 'tok-room' });
      await back.fullState();
      expect(back.me?.score).toBe(score);
      // A token that is not the player's (here: a hash-like string) does not resume anyone.
      const wrong = server.client({ transport: 'tcp', name: 'thief', token: token.slice(1) + 'A', autoResume: false });
      await expect(wrong.connect()).rejects.toThrow(/BAD_TOKEN|unknown or expired token/);
      back.close();
      expect(holding(dataDir, token)).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('written by Shoal 0.1 as raw tokens still resume, and are hashed on load', async () => {
    // A 0.1 data directory, byte for byte: a checkpoint and a later log, both with raw tokens,
    // readable by everyone.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-legacy-'));
    const world = path.join(dataDir, 'world');
    fs.mkdirSync(world);
    const packr = new Packr({ useRecords: false, mapsAsObjects: true });
    const tokenA = 'legacyTokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const tokenB = 'legacyTokenBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const body = packr.pack({
      nextPlayer: 2,
      sessions: [{ id: 'p1', token: tokenA, name: 'old-a', room: 'legacy', score: 7 }],
      leaderboard: [['old-a', 7]],
      rooms: [{ id: 'legacy', slot: 0, capacity: 16 }],
      kv: {},
    });
    const head = Buffer.alloc(16);
    head.write('SHL1', 0);
    head.writeUInt32BE(1, 4);
    head.writeUInt32BE(body.length, 8);
    head.writeUInt32BE(zlib.crc32(body), 12);
    fs.writeFileSync(path.join(world, 'checkpoint.bin'), Buffer.concat([head, body]));
    const batch = packr.pack([
      { k: 'nextPlayer', n: 3 },
      { k: 'session', s: { id: 'p2', token: tokenB, name: 'old-b', room: 'legacy', score: 0 } },
      { k: 'score', id: 'p2', score: 4 },
    ]);
    const rec = Buffer.alloc(8);
    rec.writeUInt32BE(batch.length, 0);
    rec.writeUInt32BE(zlib.crc32(batch), 4);
    fs.writeFileSync(path.join(world, 'log.1'), Buffer.concat([rec, batch]));
    for (const f of ['checkpoint.bin', 'log.1']) fs.chmodSync(path.join(world, f), 0o644);
    fs.chmodSync(world, 0o755);
    fs.chmodSync(dataDir, 0o755);
    expect(holding(dataDir, tokenA)).toHaveLength(1);
    expect(holding(dataDir, tokenB)).toHaveLength(1);

    // A field so large that a player resumed at a random place stands within reach of no coin
    // (a standing player takes one in reach): the scores seen are exactly the stored ones.
    const server = await startServer({ workers: 1, args: ['--world-width', '100000', '--world-height', '100000', '--coins', '1', '--golden-coin-ms', '0'], dataDir });
    try {
      const upgraded = await server.waitForLog((l) => l.msg === 'session tokens from an older version now stored as hashes');
      expect(upgraded.sessions).toBe(2);
      // The start-up checkpoint replaced the files that held raw tokens.
      expect(holding(dataDir, tokenA)).toEqual([]);
      expect(holding(dataDir, tokenB)).toEqual([]);
      expect(holding(dataDir, 'old-b').length).toBeGreaterThan(0);
      expect(fs.statSync(path.join(world, 'checkpoint.bin')).mode & 0o777).toBe(0o600);

      const a = server.client({ transport: 'tcp', name: 'old-a', token: tokenA });
      expect(await a.connect()).toMatchObject({ resumed: true, id: 'p1', room: 'legacy', token: tokenA });
      const b = server.client({ transport: 'ws', name: 'old-b', token: tokenB });
      expect(await b.connect()).toMatchObject({ resumed: true, id: 'p2', room: 'legacy', token: tokenB });
      await a.fullState();
      await b.fullState();
      expect(a.me?.score).toBe(7);
      expect(b.me?.score).toBe(4);
      // New players continue the 0.1 numbering.
      const c = server.client({ transport: 'tcp', name: 'new-c', room: 'legacy' });
      expect((await c.connect()).id).toBe('p3');
      for (const x of [a, b, c]) x.close();
    } finally {
      await server.stop();
    }
    expect(holding(dataDir, tokenA)).toEqual([]);
    expect(holding(dataDir, tokenB)).toEqual([]);
  }, 90_000);
});
