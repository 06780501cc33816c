// Where a worker's CPU goes under arena load, kernel against user space: the lean client plays N
// players against a fresh Shoal (or several builds in turn) while `perf` watches its workers. Issue
// 15 asks for a cost per player that the kernel's own work per message may already exceed on this
// machine; this tool measures that floor instead of guessing it.
//   node dist/loadtest/kernel-share.js --players 1000 --seconds 16 [--build old=PATH/dist/server/main.js ...] [--rounds 1]
//
// During the measured window: the first half counts the workers' system calls (perf stat on the
// syscalls tracepoints, cheap) and reads every server process's user and system time from /proc;
// the second half samples the workers with call graphs (perf record -g; node --perf-basic-prof so
// JIT frames have names) and sums, from `perf report --children`, the share of samples under each
// path (kernel write, read, epoll; the JS around a write; timers; reads). Needs perf and root.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.js';
import { processTimes, processTree, roleOf } from './proc-stats.js';
import { runToExit, stopAllOnExit } from './processes.js';
import { writeResult } from './report/write.js';
import { median, ratio, type ScenarioResult } from './result.js';
import { runLean } from './lean/run.js';
import { SHOAL_MAIN, startShoal } from './servers.js';

const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** perf report symbols whose inclusive share is reported, with the row name for each. */
const PATHS: Array<[string, RegExp]> = [
  ['kernel: write syscalls (incl. loopback delivery to the reader)', /\[k\] ksys_write$/],
  ['kernel: of which loopback receive (net_rx_action)', /\[k\] net_rx_action$/],
  ['kernel: read syscalls', /\[k\] ksys_read$/],
  ['kernel: epoll_wait', /\[k\] do_epoll_wait$/],
  ['user: Node write (StreamBase::WriteBuffer, incl. its syscall)', /\[\.\] node::StreamBase::JSMethod<&node::StreamBase::WriteBuffer>$/],
  ['user: timers (room ticks, incl. their writes)', /\[\.\] uv__run_timers$/],
  ['user: socket reads (uv__read, incl. handling and replies)', /\[\.\] uv__read$/],
  ['user: garbage collection', /\[\.\] v8::internal::Heap::CollectGarbage/],
];

interface Build {
  name: string;
  main: string;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.once('error', reject);
    p.once('exit', () => resolve(out));
  });
}

function count(text: string, event: string): number {
  const m = new RegExp(`^\\s*([\\d,]+)\\s+syscalls:${event}\\b`, 'm').exec(text);
  return m ? Number(m[1]!.replace(/,/g, '')) : NaN;
}

async function measureOnce(build: Build, o: { players: number; seconds: number; warmup: number }, tmp: string): Promise<Record<string, number | string>> {
  const server = await startShoal({ workers: 2, main: build.main, nodeArgs: ['--perf-basic-prof'] });
  const half = o.seconds / 2;
  const row: Record<string, number | string> = { build: build.name, players: o.players };
  let window: Promise<void> = Promise.resolve();
  try {
    const lean = await runLean({
      host: '127.0.0.1', port: server.port, players: o.players, transport: 'mix', seconds: o.seconds, warmupSeconds: o.warmup,
      inputHz: 10, pingHz: 1, rampPerSecond: 1000, serverPid: server.proc.pid,
      onWindow: (edge) => {
        if (edge !== 'start') return;
        window = (async () => {
          const pids = processTree(server.proc.pid);
          const workers = pids.filter((p) => roleOf(p) === 'workers');
          const t0 = new Map(pids.map((p) => [p, processTimes(p) ?? { user: 0, sys: 0 }]));
          const stat = await run('perf', ['stat', '-e', 'syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_epoll_pwait', '-p', workers.join(','), '--', 'sleep', String(half)]);
          let user = 0;
          let sys = 0;
          for (const p of pids) {
            const a = t0.get(p)!;
            const b = processTimes(p) ?? a;
            const k = roleOf(p);
            row[`${k} user cores`] = round(Number(row[`${k} user cores`] ?? 0) + (b.user - a.user) / half, 3);
            row[`${k} sys cores`] = round(Number(row[`${k} sys cores`] ?? 0) + (b.sys - a.sys) / half, 3);
            user += b.user - a.user;
            sys += b.sys - a.sys;
          }
          row['server user cores'] = round(user / half, 3);
          row['server sys cores'] = round(sys / half, 3);
          row['server sys share'] = round(sys / (user + sys), 3);
          const writes = count(stat, 'sys_enter_write');
          const reads = count(stat, 'sys_enter_read');
          row['worker writes/s'] = Math.round(writes / half);
          row['worker reads/s'] = Math.round(reads / half);
          row['worker epoll_waits/s'] = Math.round(count(stat, 'sys_enter_epoll_pwait') / half);
          const data = path.join(tmp, `${build.name}-${Date.now()}.perf`);
          await run('perf', ['record', '-q', '-g', '-p', workers.join(','), '-o', data, '--', 'sleep', String(Math.max(1, half - 1.5))]);
          const report = execFileSync('perf', ['report', '-i', data, '--children', '--sort', 'sym', '-g', 'none', '--stdio'], { maxBuffer: 256 * 1024 * 1024 }).toString();
          const dso = execFileSync('perf', ['report', '-i', data, '--no-children', '--sort', 'dso', '-g', 'none', '--stdio'], { maxBuffer: 64 * 1024 * 1024 }).toString();
          const kernel = /^\s*([\d.]+)%\s+\[kernel\.kallsyms\]/m.exec(dso);
          row['workers: kernel share of samples'] = kernel ? round(Number(kernel[1]) / 100, 3) : NaN;
          for (const [name, re] of PATHS) {
            let share = 0;
            for (const line of report.split('\n')) {
              const m = /^\s*([\d.]+)%\s+[\d.]+%\s+(.*)$/.exec(line);
              if (m && re.test(m[2]!.trim())) share += Number(m[1]);
            }
            row[`workers: ${name}`] = round(share / 100, 3);
          }
          fs.rmSync(data, { force: true });
        })();
      },
    });
    await window;
    row.delivered = lean.delivered;
    row['RTT p99 ms'] = lean.rttP99Ms ?? NaN;
    row['server cores (whole window)'] = lean.serverCores ?? NaN;
    row['client cores'] = lean.clientCores;
    const workerCores = Number(row['workers user cores']) + Number(row['workers sys cores']);
    const writesPerSecond = Number(row['worker writes/s']);
    // Kernel time per write: the write path's share of the workers' samples over the writes counted.
    row['kernel µs per write (est.)'] = round((Number(row['workers: kernel: write syscalls (incl. loopback delivery to the reader)']) * workerCores * 1e6) / writesPerSecond, 2);
  } finally {
    await server.stop();
  }
  return row;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      players: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '1' },
      build: { type: 'string', multiple: true, default: [] },
      label: { type: 'string' },
      out: { type: 'string', default: path.join(REPO, 'loadtest', 'results') },
    },
  });
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('kernel-share needs perf (Debian: linux-perf) and the right to trace the server (root)');
  }
  stopAllOnExit();
  const builds: Build[] = [{ name: 'this', main: SHOAL_MAIN }, ...values.build.map((b) => {
    const i = b.indexOf('=');
    if (i < 1) throw new Error('--build takes NAME=PATH/dist/server/main.js');
    return { name: b.slice(0, i), main: path.resolve(b.slice(i + 1)) };
  })];
  const players = Number(values.players);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const m = machine();
  console.log(`kernel-share: ${describeMachine(m)}`);
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-kshare-'));
  const rows: Array<Record<string, number | string>> = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...builds].reverse() : builds;
    for (const b of order) {
      const load = os.loadavg()[0]!;
      const row = await measureOnce(b, { players, seconds, warmup: Number(values.warmup) }, tmp);
      row.round = r + 1;
      row['load average'] = round(load, 2);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const first = rows.filter((x) => x.build === 'this');
  const med = (k: string) => median(first.map((x) => Number(x[k])));
  const result: ScenarioResult = {
    scenario: `kernel-share${values.label ? `-${values.label}` : ''}`,
    quick: false,
    startedAt,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: m,
    command: `node dist/loadtest/kernel-share.js ${process.argv.slice(2).join(' ')}`.trim(),
    ratios: [
      ratio('server system time ÷ all server CPU (this build, median)', round(med('server sys share'), 3)),
      ratio('workers: share of samples in the kernel (this build, median)', round(med('workers: kernel share of samples'), 3)),
      ratio('kernel µs per state write, estimated (this build, median)', round(med('kernel µs per write (est.)'), 2)),
    ],
    rows,
    notes: [
      'First half of the window: perf stat counts the workers\' syscalls and /proc gives every process\'s user and system time; second half: perf record -g samples the workers.',
      'On loopback the sender\'s write also runs the receiver\'s TCP input (net_rx_action in the sender\'s softirq), so the server is charged for part of the client\'s receive work; on a real network that part runs on the client\'s machine.',
      '"kernel µs per write (est.)" = the write path\'s share of the workers\' samples × the workers\' cores ÷ the writes counted a second.',
    ],
  };
  const w = writeResult(values.out, result);
  console.log(`wrote ${w.markdown}`);
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

runToExit(main);
