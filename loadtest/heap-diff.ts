// What each Shoal process retains per joined idle connection, by kind of object: a fresh server
// started with node's --heapsnapshot-signal, a heap snapshot of every process (a snapshot collects
// garbage first, so it holds only what is reachable), N lean connections (half TCP, half
// WebSocket) that say hello and are welcomed, a few seconds to settle, a second snapshot of every
// process; then, per role, the growth of each (node type, name) in bytes per connection and count
// per connection, largest first, beside the growth of the process's RSS.
//
//   node dist/loadtest/heap-diff.js [--conns 2000] [--hello v1|changes-only] [--top 25] [--keep] [--main PATH/dist/server/main.js] [--out FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from '../shared/protocol/codec.js';
import { LeanSocket } from './lean/lean-socket.js';
import { PEEK_WELCOME, peek } from './lean/wire-peek.js';
import { processTree, roleOf } from './proc-stats.js';
import { stopAllOnExit } from './processes.js';
import { startShoal } from './servers.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}

interface Kind { count: number; bytes: number }

/** A heap snapshot's self sizes summed by `type:name` (objects by constructor, closures by function). */
function summarise(file: string): { total: number; kinds: Map<string, Kind> } {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const f = snap.snapshot.meta.node_fields;
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const kinds = new Map<string, Kind>();
  let total = 0;
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]!]!;
    // Strings by their type only (their text is no kind); objects, closures, arrays by name.
    let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number'
      ? '' : snap.strings[nodes[i + iName]!]!;
    if (name.length > 60) name = name.slice(0, 60) + '…';
    const key = `${type}:${name}`;
    const size = nodes[i + iSize]!;
    total += size;
    const k = kinds.get(key);
    if (k) {
      k.count++;
      k.bytes += size;
    } else kinds.set(key, { count: 1, bytes: size });
  }
  return { total, kinds };
}

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Signals every process for a snapshot and waits for each file to be complete. */
async function snapshotAll(pids: number[], dir: string): Promise<Map<number, string>> {
  const before = new Set(fs.readdirSync(dir));
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const out = new Map<number, string>();
  const deadline = Date.now() + 120_000;
  while (out.size < pids.length) {
    if (Date.now() > deadline) throw new Error('heap snapshots did not appear within 120 s');
    await sleep(500);
    for (const name of fs.readdirSync(dir)) {
      if (before.has(name) || !name.endsWith('.heapsnapshot')) continue;
      const pid = Number(name.split('.')[3]);
      if (out.has(pid) || !pids.includes(pid)) continue;
      // Complete once it parses as JSON's end: a snapshot ends with "]}".
      const p = path.join(dir, name);
      const size = fs.statSync(p).size;
      if (size < 2) continue;
      const fd = fs.openSync(p, 'r');
      const tail = Buffer.alloc(2);
      fs.readSync(fd, tail, 0, 2, size - 2);
      fs.closeSync(fd);
      if (tail.toString() === ']}' || tail.toString() === '}\n') {
        await sleep(300);
        if (fs.statSync(p).size === size) out.set(pid, p);
      }
    }
  }
  return out;
}

async function openIdle(port: number, n: number, hello: Buffer): Promise<{ socks: LeanSocket[]; ok: number }> {
  const socks: LeanSocket[] = [];
  let ok = 0;
  let failed = 0;
  await new Promise<void>((resolve) => {
    let next = 0;
    let waiting = 0;
    const settle = (good: boolean) => {
      waiting--;
      if (good) ok++;
      else failed++;
      if (ok + failed === n) resolve();
      else pump();
    };
    const one = (i: number) => {
      let done = false;
      const finish = (good: boolean) => {
        if (!done) {
          done = true;
          settle(good);
        }
      };
      LeanSocket.open(i % 2 ? 'ws' : 'tcp', '127.0.0.1', port, {
        onMessage(buf, start, len) {
          if (peek(buf, start, len) === PEEK_WELCOME) finish(true);
        },
        onClose() {
          finish(false);
        },
      }).then((s) => {
        socks.push(s);
        s.send(hello);
      }, () => finish(false));
      setTimeout(() => finish(false), 30_000).unref();
    };
    const pump = () => {
      while (next < n && waiting < 200) {
        waiting++;
        one(next++);
      }
    };
    pump();
  });
  return { socks, ok };
}

async function main(): Promise<void> {
  stopAllOnExit();
  const n = Number(arg('conns', '2000'));
  const helloKind = arg('hello', 'changes-only');
  const top = Number(arg('top', '25'));
  const mainJs = process.argv.includes('--main') ? path.resolve(arg('main', '')) : undefined;
  const hello = Buffer.from(encode(helloKind === 'v1' ? { t: 'hello', v: 1, name: 'idle' } : { t: 'hello', v: 1, name: 'idle', changesOnly: true }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-heap-'));
  const s = await startShoal({ workers: os.availableParallelism(), main: mainJs, nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] });
  const report: Record<string, unknown> = { command: `node dist/loadtest/heap-diff.js ${process.argv.slice(2).join(' ')}`, startedAt: new Date().toISOString(), connections: n, hello: helloKind };
  try {
    await sleep(2000);
    const pids = processTree(s.proc.pid).filter((p) => ['primary', 'coordinator', 'workers'].includes(roleOf(p)));
    const rss0 = new Map(pids.map((p) => [p, rssOf(p)]));
    const snap0 = await snapshotAll(pids, dir);
    const rssA = new Map(pids.map((p) => [p, rssOf(p)]));
    const o = await openIdle(s.port, n, hello);
    await sleep(3000);
    const rss1 = new Map(pids.map((p) => [p, rssOf(p)]));
    const snap1 = await snapshotAll(pids, dir);
    report.welcomed = o.ok;
    report.loadAverage1m = os.loadavg()[0];
    const byProcess: Array<Record<string, unknown>> = [];
    for (const pid of pids) {
      const a = summarise(snap0.get(pid)!);
      const b = summarise(snap1.get(pid)!);
      const rows: Array<{ kind: string; bytesPerConn: number; countPerConn: number }> = [];
      for (const [key, kb] of b.kinds) {
        const ka = a.kinds.get(key) ?? { count: 0, bytes: 0 };
        rows.push({ kind: key, bytesPerConn: Math.round((kb.bytes - ka.bytes) / o.ok), countPerConn: Math.round(((kb.count - ka.count) / o.ok) * 100) / 100 });
      }
      rows.sort((x, y) => y.bytesPerConn - x.bytesPerConn);
      const row = {
        role: roleOf(pid), pid,
        // RSS before the first snapshot and after the connections (a snapshot itself costs RSS: rssAfterSnapshot).
        rssKiBPerConn: Math.round(((rss1.get(pid)! - rssA.get(pid)!) / o.ok / 1024) * 10) / 10,
        rssBeforeMiB: Math.round(rss0.get(pid)! / 2 ** 20), rssAfterSnapshotMiB: Math.round(rssA.get(pid)! / 2 ** 20), rssAfterMiB: Math.round(rss1.get(pid)! / 2 ** 20),
        retainedHeapBytesPerConn: Math.round((b.total - a.total) / o.ok),
        heapBeforeMiB: Math.round(a.total / 2 ** 20 * 10) / 10, heapAfterMiB: Math.round(b.total / 2 ** 20 * 10) / 10,
        top: rows.slice(0, top),
      };
      byProcess.push(row);
      console.log(`\n${row.role} ${pid}: RSS ${row.rssKiBPerConn} KiB/conn, retained heap ${row.retainedHeapBytesPerConn} B/conn (${row.heapBeforeMiB} -> ${row.heapAfterMiB} MiB)`);
      for (const r of row.top) console.log(`  ${String(r.bytesPerConn).padStart(6)} B  ${String(r.countPerConn).padStart(6)} x  ${r.kind}`);
    }
    report.processes = byProcess;
    for (const sock of o.socks) sock.close();
  } finally {
    await s.stop();
    if (process.argv.includes('--keep')) console.log(`snapshots kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  const out = process.argv.includes('--out') ? arg('out', '') : undefined;
  if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
