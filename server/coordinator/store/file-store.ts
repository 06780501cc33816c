// The embedded store: an append-only log of change batches plus a checkpoint, under <data>/world.
//
//   checkpoint.bin  "SHL1" | u32 generation | u32 length | u32 crc32 | msgpack(PersistedWorld)
//   log.<gen>       records of u32 length | u32 crc32 | msgpack(Change[])
//
// A checkpoint of generation G holds everything written to logs before G; on open, logs G, G+1,
// ... are replayed on top of it. A record whose length or checksum does not hold (a write torn by
// a crash) ends the log: it and anything after it are cut off, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Packr, Unpackr } from 'msgpackr';
import { applyChange, indexWorld, worldOf } from './apply.js';
import { emptyWorld, type Change, type PersistedWorld, type WorldStore } from './types.js';

const MAGIC = Buffer.from('SHL1');
const HEAD = 8;
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export class StoreError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface FileStoreStats {
  generation: number;
  logBytes: number;
  tornBytesDropped: number;
}

export class FileStore implements WorldStore {
  private fd = -1;
  private gen = 0;
  private dirty = false;
  readonly stats: FileStoreStats = { generation: 0, logBytes: 0, tornBytesDropped: 0 };

  constructor(private readonly dir: string) {}

  async open(): Promise<PersistedWorld> {
    fs.mkdirSync(this.dir, { recursive: true });
    let world = emptyWorld();
    const cp = path.join(this.dir, 'checkpoint.bin');
    if (fs.existsSync(cp)) {
      const buf = fs.readFileSync(cp);
      if (buf.length < 16 || !buf.subarray(0, 4).equals(MAGIC)) {
        throw new StoreError('STORE_CORRUPT', `${cp} is not a Shoal checkpoint`);
      }
      this.gen = buf.readUInt32BE(4);
      const len = buf.readUInt32BE(8);
      const body = buf.subarray(16, 16 + len);
      // A checkpoint is written whole and renamed into place, so a bad one is not a torn write.
      if (body.length !== len || zlib.crc32(body) !== buf.readUInt32BE(12)) {
        throw new StoreError('STORE_CORRUPT', `${cp} fails its checksum`);
      }
      world = unpackr.unpack(body) as PersistedWorld;
    }
    const ix = indexWorld(world);
    const logs = this.logGenerations();
    for (const g of logs) {
      if (g < this.gen) {
        fs.rmSync(this.logPath(g), { force: true });
        continue;
      }
      for (const batch of this.readLog(g)) for (const c of batch) applyChange(ix, c);
    }
    const last = logs.length ? Math.max(this.gen, ...logs) : this.gen;
    this.gen = last;
    this.fd = fs.openSync(this.logPath(last), 'a');
    this.stats.generation = last;
    this.stats.logBytes = fs.fstatSync(this.fd).size;
    return worldOf(ix);
  }

  append(changes: Change[]): void {
    if (changes.length === 0) return;
    if (this.fd < 0) throw new StoreError('STORE_CLOSED', 'store is not open');
    const body = packr.pack(changes);
    const rec = Buffer.allocUnsafe(HEAD + body.length);
    rec.writeUInt32BE(body.length, 0);
    rec.writeUInt32BE(zlib.crc32(body), 4);
    body.copy(rec, HEAD);
    let off = 0;
    while (off < rec.length) off += fs.writeSync(this.fd, rec, off);
    this.stats.logBytes += rec.length;
    this.dirty = true;
  }

  async sync(): Promise<void> {
    if (!this.dirty || this.fd < 0) return;
    this.dirty = false;
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  async checkpoint(world: PersistedWorld): Promise<void> {
    // Switch appends to a new log first: anything written from here on lands after the checkpoint.
    const next = this.gen + 1;
    const oldFd = this.fd;
    const oldGen = this.gen;
    this.fd = fs.openSync(this.logPath(next), 'a');
    this.gen = next;
    fs.fsyncSync(oldFd);
    fs.closeSync(oldFd);

    const body = packr.pack(world);
    const head = Buffer.alloc(16);
    MAGIC.copy(head, 0);
    head.writeUInt32BE(next, 4);
    head.writeUInt32BE(body.length, 8);
    head.writeUInt32BE(zlib.crc32(body), 12);
    const tmp = path.join(this.dir, 'checkpoint.tmp');
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, head);
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(this.dir, 'checkpoint.bin'));
    this.syncDir();
    for (let g = oldGen; g >= 0 && fs.existsSync(this.logPath(g)); g--) fs.rmSync(this.logPath(g), { force: true });
    this.stats.generation = next;
    this.stats.logBytes = 0;
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private logPath(g: number): string {
    return path.join(this.dir, `log.${g}`);
  }

  private logGenerations(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((f) => /^log\.(\d+)$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  private *readLog(g: number): Generator<Change[]> {
    const file = this.logPath(g);
    const buf = fs.readFileSync(file);
    let off = 0;
    while (off + HEAD <= buf.length) {
      const len = buf.readUInt32BE(off);
      const crc = buf.readUInt32BE(off + 4);
      const body = buf.subarray(off + HEAD, off + HEAD + len);
      if (body.length !== len || zlib.crc32(body) !== crc) break;
      let batch: Change[];
      try {
        batch = unpackr.unpack(body) as Change[];
      } catch {
        break;
      }
      off += HEAD + len;
      yield batch;
    }
    if (off < buf.length) {
      this.stats.tornBytesDropped += buf.length - off;
      fs.truncateSync(file, off);
    }
  }

  private syncDir(): void {
    try {
      const d = fs.openSync(this.dir, 'r');
      fs.fsyncSync(d);
      fs.closeSync(d);
    } catch {
      // Some filesystems refuse fsync on a directory; the rename is still atomic.
    }
  }
}
