// `node dist/loadtest/report/heap-snapshot-diff.js BEFORE.heapsnapshot AFTER.heapsnapshot [N]`: what
// a process kept between two heap snapshots (e.g. taken with NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2
// and `kill -USR2 PID` before and after churning connections): live objects by constructor, count
// and self size, the N largest changes. A snapshot is taken after a full GC, so what it counts is
// what is still reachable, unlike RSS, which keeps pages the heap and malloc no longer use.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapCount {
  count: number;
  bytes: number;
}

/** Live nodes grouped by kind: objects, closures and natives by constructor name, the rest by type. */
export function countHeap(raw: RawSnapshot): Map<string, HeapCount> {
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, HeapCount>();
  for (let i = 0; i < raw.nodes.length; i += width) {
    const type = types[raw.nodes[i + typeAt]!]!;
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${raw.strings[raw.nodes[i + nameAt]!]!.slice(0, 60) || '(anonymous)'}` : `(${type})`;
    const c = out.get(key) ?? { count: 0, bytes: 0 };
    c.count++;
    c.bytes += raw.nodes[i + sizeAt]!;
    out.set(key, c);
  }
  return out;
}

export interface HeapChange {
  kind: string;
  before: number;
  after: number;
  bytes: number;
}

export function diffHeap(before: Map<string, HeapCount>, after: Map<string, HeapCount>): HeapChange[] {
  const kinds = new Set([...before.keys(), ...after.keys()]);
  const rows: HeapChange[] = [];
  for (const kind of kinds) {
    const a = before.get(kind) ?? { count: 0, bytes: 0 };
    const b = after.get(kind) ?? { count: 0, bytes: 0 };
    if (a.count !== b.count || a.bytes !== b.bytes) rows.push({ kind, before: a.count, after: b.count, bytes: b.bytes - a.bytes });
  }
  return rows.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes) || Math.abs(y.after - y.before) - Math.abs(x.after - x.before));
}

export function readHeap(file: string): Map<string, HeapCount> {
  return countHeap(JSON.parse(fs.readFileSync(file, 'utf8')) as RawSnapshot);
}

function total(m: Map<string, HeapCount>): number {
  let t = 0;
  for (const c of m.values()) t += c.bytes;
  return t;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [beforeFile, afterFile, n] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    process.stderr.write('usage: heap-snapshot-diff.js BEFORE.heapsnapshot AFTER.heapsnapshot [N]\n');
    process.exit(2);
  }
  const before = readHeap(beforeFile);
  const after = readHeap(afterFile);
  const lines = [`live heap ${total(before)} -> ${total(after)} bytes (${total(after) - total(before)})`, 'kind | before | after | bytes'];
  for (const r of diffHeap(before, after).slice(0, Number(n ?? 25))) lines.push(`${r.kind} | ${r.before} | ${r.after} | ${r.bytes}`);
  process.stdout.write(lines.join('\n') + '\n');
}
