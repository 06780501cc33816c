// `node dist/loadtest/report/cpu-profile-summary.js FILE.cpuprofile [N]`: where a process spent its
// CPU, from a `node --cpu-prof` profile: self time by function and by file, top N of each.
// `... FILE N 'sendFramed,tick arena'`: also the share of busy (not idle) time spent inside each
// named function, callees included (a name matches "functionName file" anywhere in it).
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfile(p: Profile, top = 15, under: string[] = []): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Each sample's time is the delta that follows it.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const file = f.url ? shorten(f.url) : `(${f.functionName || 'native'})`;
    const fn = `${f.functionName || '(anonymous)'} ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  const text = `total ${(total / 1e6).toFixed(2)} s sampled\n-- self time by function --\n${fmt(byFn)}\n-- self time by file --\n${fmt(byFile)}`;
  return under.length ? `${text}\n${inclusive(p, self, under)}` : text;
}

/** Share of busy time spent inside each named function, callees included. */
function inclusive(p: Profile, self: Map<number, number>, names: string[]): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => `${n.callFrame.functionName} ${n.callFrame.url ? shorten(n.callFrame.url) : ''}`;
  let busy = 0;
  const sums = names.map(() => 0);
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy += us;
    const hit = names.map(() => false);
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const l = label(byId.get(x)!);
      names.forEach((name, i) => {
        if (!hit[i] && l.includes(name)) hit[i] = true;
      });
    }
    hit.forEach((h, i) => {
      if (h) sums[i]! += us;
    });
  }
  const rows = names.map((name, i) => `${((sums[i]! / (busy || 1)) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return `-- busy ${(busy / 1e6).toFixed(2)} s; share of it inside (callees included) --\n${rows.join('\n')}`;
}

function shorten(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const i = u.indexOf('/node_modules/');
  if (i >= 0) return u.slice(i + 1);
  const d = u.indexOf('/dist/');
  return d >= 0 ? u.slice(d + 6) : path.basename(u);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [file, n, names] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: cpu-profile-summary FILE.cpuprofile [N] [name,name...]\n');
    process.exit(2);
  }
  process.stdout.write(summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, Number(n ?? 15), names ? names.split(',') : []) + '\n');
}
