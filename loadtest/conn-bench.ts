// What a connection costs the server to hold and to set up, measured with the lean load client
// (loadtest/lean/lean-socket.ts: raw TCP and WebSocket, no decoding but the welcome) from this one
// process, against fresh servers only. Several builds (an old one beside this one) run in
// alternation with the same client, so their ratio comes from one run on one (shared) machine.
//
//   node dist/loadtest/conn-bench.js memory   [--conns 10000 | 2000,5000,10000] [--rounds 3] [--late-ms 0] [--hellos v1,changes-only] [--build old=PATH/dist/server/main.js ...] [--out FILE]
//     a build's variant: [--build-args 'NAME=FLAG VALUE'] [--build-node-args 'NAME=FLAG'] [--build-env NAME=KEY=VALUE] (NAME: 'this build' or a --build's name)
//   node dist/loadtest/conn-bench.js connects [--simultaneous 1000] [--rate-conns 500] [--in-flight 100] [--rounds 3] [--seed] [--bare] [--hello-json JSON] [--build ...] [--out FILE]
//
// memory: a fresh server, 2 s to settle, the RSS (and PSS) of its whole process tree read; then
//   N connections, half TCP half WebSocket, each says hello and waits for its welcome (200 in
//   flight); 3 s to settle; the tree read again. Per connection = difference ÷ welcomed. The load
//   client is this process, outside the server's tree, so its memory is not counted. --hellos:
//   which hellos the idle players say, each its own fresh server per build and round: `v1` (a state
//   every tick) and/or `changes-only` (hello.changesOnly: states only when something changed).
// connects: (a) a fresh server, N connections started in the same turn (TCP, and half TCP half
//   WebSocket on another fresh server), each timed from connect() to its welcome; (b) a fresh
//   server, M connections with exactly K in flight in all (one process), set up a second.
//   --seed adds the seed (Python, a fork per connection) to the rate test; --bare adds the ceiling
//   of this machine: the bare `net` baseline under node:cluster with as many workers as Shoal
//   (loadtest/baselines/bare-net-server.ts: the primary accepts and passes each socket to a worker,
//   node:cluster's default on Linux; the worker answers the hello with a welcome), and the same with
//   SCHED_NONE (each worker accepts on the shared socket itself), all three tests each.
//   --hello-json: the hello every connection sends (default {"t":"hello","v":1,"name":"idle"}).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decode, encode } from '../shared/protocol/codec.js';
import { LeanSocket, type LeanTransport } from './lean/lean-socket.js';
import { PEEK_ERROR, PEEK_STATE, PEEK_WELCOME, peek } from './lean/wire-peek.js';
import { machine } from './machine.js';
import { processCpuSeconds, processTree, roleOf, treeCpuSeconds, treeMemoryBytes } from './proc-stats.js';
import { median } from './result.js';
import { stopAllOnExit } from './processes.js';
import { SHOAL_MAIN, startBaseline, startShoal, type RunningServer } from './servers.js';

interface Build {
  name: string;
  /** dist/server/main.js of the build; undefined: this one. */
  main?: string;
  /** Flags for node itself (--build-node-args 'NAME=FLAG FLAG': a trial of V8 settings); every process inherits them. */
  nodeArgs?: string[];
  /** Extra environment (--build-env NAME=KEY=VALUE, repeatable). */
  env?: Record<string, string>;
  /** Extra Shoal flags (--build-args 'NAME=FLAG VALUE ...'). */
  args?: string[];
}

interface Opened {
  socks: LeanSocket[];
  ok: number;
  failed: number;
  errors: Record<string, number>;
  /** connect() to welcome, ms, of every welcomed connection. */
  times: number[];
  elapsedMs: number;
  clientCpuS: number;
  serverCpuS: number;
  /** Server CPU seconds by role (primary, coordinator, workers) over the same span. */
  serverCpuSByRole: Record<string, number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The connects tests' hello (--hello-json may replace it). */
let HELLO = Buffer.from(encode({ t: 'hello', v: 1, name: 'idle' }));
const HELLOS: Record<string, Buffer> = { v1: Buffer.from(encode({ t: 'hello', v: 1, name: 'idle' })), 'changes-only': Buffer.from(encode({ t: 'hello', v: 1, name: 'idle', changesOnly: true })) };

/** States received by the open connections, all told (read around a window for a rate). */
const received = { states: 0 };

/** Opens n connections, at most inFlight waiting for their welcome at once (0: all at once). */
async function openMany(port: number, serverPid: number | undefined, n: number, inFlight: number, transportOf: (i: number) => LeanTransport, hello: Buffer = HELLO): Promise<Opened> {
  const socks: LeanSocket[] = [];
  const times: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const c0 = process.cpuUsage();
  const s0 = serverPid ? treeCpuSeconds(serverPid) : 0;
  const roles0 = serverPid ? treeCpuByRole(serverPid) : {};
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    let waiting = 0;
    const limit = inFlight > 0 ? inFlight : n;
    const settle = (good: boolean, why?: string) => {
      waiting--;
      if (good) ok++;
      else {
        failed++;
        if (why) errors[why] = (errors[why] ?? 0) + 1;
      }
      if (ok + failed === n) resolve();
      else pump();
    };
    const one = (i: number) => {
      const started = performance.now();
      let done = false;
      const finish = (good: boolean, why?: string) => {
        if (done) return;
        done = true;
        if (good) times.push(performance.now() - started);
        settle(good, why);
      };
      LeanSocket.open(transportOf(i), '127.0.0.1', port, {
        onMessage(buf, start, len) {
          const k = peek(buf, start, len);
          if (k === PEEK_STATE) received.states++;
          else if (k === PEEK_WELCOME) finish(true);
          else if (k === PEEK_ERROR) finish(false, `error ${(decode(buf.subarray(start, start + len)) as { code?: string }).code}`);
        },
        onClose() {
          finish(false, 'closed');
        },
      }).then((s) => {
        socks.push(s);
        s.send(hello);
      }, (err: Error) => finish(false, `connect: ${err.message.slice(0, 40)}`));
      setTimeout(() => finish(false, 'timeout'), 30_000).unref();
    };
    const pump = () => {
      while (next < n && waiting < limit) {
        waiting++;
        one(next++);
      }
    };
    pump();
  });
  const elapsedMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const roles1 = serverPid ? treeCpuByRole(serverPid) : {};
  return {
    socks, ok, failed, errors, times, elapsedMs,
    clientCpuS: (c.user + c.system) / 1e6, serverCpuS: serverPid ? treeCpuSeconds(serverPid) - s0 : 0,
    serverCpuSByRole: Object.fromEntries(Object.keys(roles1).map((k) => [k, r3(roles1[k]! - (roles0[k] ?? 0))])),
  };
}

/**
 * CPU seconds used so far by the tree under root, by role (a process gone since is left out).
 * Shoal's roles come from each command line; in a tree with none (a baseline under node:cluster)
 * the root is the primary and the rest are workers.
 */
function treeCpuByRole(root: number): Record<string, number> {
  const byRole: Record<string, number> = {};
  const pids = processTree(root);
  const shoal = pids.some((pid) => roleOf(pid) !== 'primary');
  for (const pid of pids) {
    try {
      const cpu = processCpuSeconds(pid);
      if (Number.isNaN(cpu)) continue;
      const role = shoal ? roleOf(pid) : pid === root ? 'primary' : 'workers';
      byRole[role] = (byRole[role] ?? 0) + cpu;
    } catch {
      /* gone */
    }
  }
  return byRole;
}

/** RSS of the tree under root, bytes, in all and by role (primary, coordinator, workers). */
function treeRss(root: number): { total: number; byRole: Record<string, number> } {
  const byRole: Record<string, number> = {};
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!m) continue;
      const role = roleOf(pid);
      byRole[role] = (byRole[role] ?? 0) + Number(m[1]) * 1024;
      total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return { total, byRole };
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function closeAll(o: Opened): Promise<void> {
  for (const s of o.socks) s.close();
  return sleep(300);
}

/** Raises nothing (a process cannot raise its own hard limit); refuses to run when n would not fit. */
function checkFdLimit(need: number): { soft: number; hard: number } {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))!;
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map(Number) as [number, number];
  if (soft < need) {
    throw new Error(`ulimit -n is ${soft}; ${need} file descriptors are needed in this process (and as many in the server's workers together): run \`ulimit -n ${Math.min(hard, need * 2)}\` first`);
  }
  return { soft, hard };
}

function parseArgs(argv: string[]): { cmd: string; opts: Map<string, string>; builds: Build[] } {
  const [cmd = '', ...rest] = argv;
  const opts = new Map<string, string>();
  const builds: Build[] = [{ name: 'this build' }];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key === 'seed' || key === 'bare') {
      opts.set(key, '1');
      continue;
    }
    const v = rest[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    const eq = v.indexOf('=');
    if (key === 'build') {
      if (eq < 1) throw new Error('--build NAME=PATH/dist/server/main.js');
      builds.push({ name: v.slice(0, eq), main: path.resolve(v.slice(eq + 1)) });
    } else if (key === 'build-node-args' || key === 'build-env' || key === 'build-args') {
      const b = builds.find((x) => x.name === v.slice(0, eq));
      if (eq < 1 || !b) throw new Error(`--${key} NAME=...: NAME must be a build given before it ("this build" or a --build)`);
      const rest = v.slice(eq + 1);
      if (key === 'build-node-args') b.nodeArgs = rest.split(' ');
      else if (key === 'build-args') b.args = rest.split(' ');
      else {
        const e2 = rest.indexOf('=');
        b.env = { ...b.env, [rest.slice(0, e2)]: rest.slice(e2 + 1) };
      }
    } else opts.set(key, v);
  }
  return { cmd, opts, builds };
}

const mix = (i: number): LeanTransport => (i % 2 ? 'ws' : 'tcp');
const tcpOnly = (): LeanTransport => 'tcp';

/** One process as the console's `status --json` lists it (memory fields: what that build reports). */
interface ProcessRow { role: string; id: string; rssMB?: number; heapMB?: number; heapTotalMB?: number; externalMB?: number; youngMB?: number; outboundKB?: number; lagMs?: number }

/** The server's processes as its own console reports them (heap figures where the build has them). */
function consoleProcesses(s: RunningServer, main: string | undefined): Promise<ProcessRow[] | null> {
  const cli = path.join(path.dirname(main ?? SHOAL_MAIN), 'console', 'cli.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'status', '--json', '--console', path.join(s.data!, 'console.sock')], { timeout: 20_000 }, (err, stdout) => {
      if (err) return resolve(null);
      try {
        const rows = (JSON.parse(stdout) as { processes: ProcessRow[] }).processes;
        resolve(rows.map((p) => ({ role: p.role, id: p.id, rssMB: p.rssMB, heapMB: p.heapMB, heapTotalMB: p.heapTotalMB, externalMB: p.externalMB, youngMB: p.youngMB, outboundKB: p.outboundKB, lagMs: p.lagMs })));
      } catch {
        resolve(null);
      }
    });
  });
}

/** KiB per connection of each role's growth from `a` to `b`. */
function perRoleKiB(a: Record<string, number>, b: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.keys(b).map((k) => [k, r1(((b[k] ?? 0) - (a[k] ?? 0)) / Math.max(1, n) / 1024)]));
}

async function memory(opts: Map<string, string>, builds: Build[]) {
  // --conns 2000,5000,10000: each count its own fresh server, so what grows per connection shows apart from what is fixed.
  const counts = (opts.get('conns') ?? '10000').split(',').map(Number);
  const rounds = Number(opts.get('rounds') ?? 3);
  // A second reading this long after the first (0: none): does the tree settle, or keep growing under the 20 Hz state?
  const lateMs = Number(opts.get('late-ms') ?? 0);
  const hellos = (opts.get('hellos') ?? 'v1').split(',');
  for (const h of hellos) if (!HELLOS[h]) throw new Error(`--hellos: ${h} is not one of ${Object.keys(HELLOS).join(', ')}`);
  const fd = checkFdLimit(Math.max(...counts) + 200);
  const runs: Array<Record<string, unknown>> = [];
  for (let r = 0; r < rounds; r++) {
    for (const n of counts) {
      for (const b of builds) for (const hello of hellos) {
        const s = await startShoal({ workers: os.availableParallelism(), main: b.main, nodeArgs: b.nodeArgs, env: b.env, args: b.args });
        try {
          await sleep(2000);
          const rss0 = treeRss(s.proc.pid);
          const pss0 = treeMemoryBytes(s.proc.pid).bytes;
          const proc0 = await consoleProcesses(s, b.main);
          const load = os.loadavg()[0]!;
          const o = await openMany(s.port, s.proc.pid, n, 200, mix, HELLOS[hello]);
          const states0 = received.states;
          const cpu0 = treeCpuSeconds(s.proc.pid);
          await sleep(3000);
          const statesPerConnPerSecond = r3((received.states - states0) / Math.max(1, o.ok) / 3);
          const idleServerCores = r3((treeCpuSeconds(s.proc.pid) - cpu0) / 3);
          const rss1 = treeRss(s.proc.pid);
          const pss1 = treeMemoryBytes(s.proc.pid).bytes;
          const proc1 = await consoleProcesses(s, b.main);
          let late: Record<string, unknown> | undefined;
          if (lateMs > 0) {
            await sleep(lateMs);
            const rss2 = treeRss(s.proc.pid);
            late = { afterMs: 3000 + lateMs, rssKiBPerConn: r1((rss2.total - rss0.total) / Math.max(1, o.ok) / 1024), rssKiBPerConnByRole: perRoleKiB(rss0.byRole, rss2.byRole, o.ok), processes: await consoleProcesses(s, b.main) };
          }
          const run = {
            build: b.name, hello, round: r + 1, connections: n, welcomed: o.ok, failed: o.failed, errors: o.errors,
            rssBeforeMiB: r1(rss0.total / 2 ** 20), rssAfterMiB: r1(rss1.total / 2 ** 20),
            rssKiBPerConn: r1((rss1.total - rss0.total) / Math.max(1, o.ok) / 1024), rssKiBPerConnByRole: perRoleKiB(rss0.byRole, rss1.byRole, o.ok), pssKiBPerConn: r1((pss1 - pss0) / Math.max(1, o.ok) / 1024),
            setupSeconds: r3(o.elapsedMs / 1000), serverCpuS: r3(o.serverCpuS), clientCpuS: r3(o.clientCpuS), loadAverage1m: r1(load),
            statesPerConnPerSecond, idleServerCores,
            processesBefore: proc0, processesAfter: proc1, ...(late ? { late } : {}),
          };
          console.log(JSON.stringify(run));
          runs.push(run);
          await closeAll(o);
        } finally {
          await s.stop();
        }
      }
    }
  }
  const summary = counts.flatMap((n) => builds.flatMap((b) => hellos.map((hello) => {
    const mine = runs.filter((x) => x.build === b.name && x.hello === hello && x.connections === n);
    return {
      build: b.name, hello, main: b.main ?? 'dist/server/main.js', ...(b.nodeArgs ? { nodeArgs: b.nodeArgs } : {}), ...(b.env ? { env: b.env } : {}), ...(b.args ? { args: b.args } : {}), connections: n,
      rssKiBPerConnMedian: median(mine.map((x) => x.rssKiBPerConn as number)),
      pssKiBPerConnMedian: median(mine.map((x) => x.pssKiBPerConn as number)),
      byRoleMedian: Object.fromEntries(['primary', 'coordinator', 'workers'].map((k) => [k, median(mine.map((x) => (x.rssKiBPerConnByRole as Record<string, number>)[k] ?? 0))])),
      ...(lateMs > 0 ? { lateRssKiBPerConnMedian: median(mine.map((x) => (x.late as { rssKiBPerConn: number }).rssKiBPerConn)) } : {}),
      statesPerConnPerSecondMedian: median(mine.map((x) => x.statesPerConnPerSecond as number)),
      idleServerCoresMedian: median(mine.map((x) => x.idleServerCores as number)),
    };
  })));
  return {
    what: 'server memory per joined idle connection',
    method: `A fresh Shoal (${os.availableParallelism()} workers) per build, connection count and round; 2 s after it answers /health the RSS of its whole process tree (primary, coordinator, workers: VmRSS summed) is read, ` +
      `then N connections (${counts.join(', ')}) are opened from this one load process (lean sockets: even-numbered raw TCP, odd-numbered WebSocket; 200 waiting for a welcome at a time), each says hello and is welcomed ` +
      `(a joined player in a room of 16, sent nothing more; with hello ${hellos.map((h) => `"${h}"`).join(' and ')}: v1 receives a state every tick, changes-only (hello.changesOnly) only in ticks that change something for it; the load client counts the states, statesPerConnPerSecond over the 3 s below, and the server's CPU over them is idleServerCores); ` +
      '3 s later the tree is read again. Per connection = (after − before) ÷ welcomed. The load client is not in the server\'s tree. ' +
      'PSS (pages shared between the forked processes counted once) is given beside RSS. Each process\'s own figures (RSS, V8 heap used and total, external, and a worker\'s bytes written but not yet taken by the kernel) are read from the server\'s console `status --json` before and after, where the build reports them. ' +
      `${lateMs > 0 ? `A second reading ${(3000 + lateMs) / 1000} s after the last welcome is under "late". ` : ''}Builds (and hellos) alternate within each round; medians over rounds.`,
    fdLimit: fd, summary, runs,
  };
}

async function connects(opts: Map<string, string>, builds: Build[]) {
  const simul = Number(opts.get('simultaneous') ?? 1000);
  const rateN = Number(opts.get('rate-conns') ?? 500);
  const inFlight = Number(opts.get('in-flight') ?? 100);
  const rounds = Number(opts.get('rounds') ?? 3);
  const withSeed = opts.has('seed');
  const hello = opts.get('hello-json');
  if (hello) HELLO = Buffer.from(encode(JSON.parse(hello) as Record<string, unknown>));
  const fd = checkFdLimit(Math.max(simul, rateN) + 200);
  const runs: Array<Record<string, unknown>> = [];
  const servers: Array<{ name: string; start: () => Promise<RunningServer>; shoal: boolean; bare?: boolean }> = builds.map((b) => ({
    name: b.name, shoal: true, start: () => startShoal({ workers: os.availableParallelism(), main: b.main }),
  }));
  if (opts.has('bare')) {
    const w = os.availableParallelism();
    servers.push({ name: `bare net cluster(${w})`, shoal: false, bare: true, start: () => startBaseline('net', w) });
    servers.push({ name: `bare net cluster(${w}), workers accept`, shoal: false, bare: true, start: () => startBaseline('net', w, true) });
  }
  if (withSeed) servers.push({ name: 'seed (python fork)', shoal: false, start: () => startBaseline('seed') });
  const record = (server: string, test: string, n: number, o: Opened, round: number, load: number) => {
    const run = {
      server, test, round, connections: n, ok: o.ok, failed: o.failed, errors: o.errors,
      seconds: r3(o.elapsedMs / 1000), setupPerSecond: Math.round(o.ok / (o.elapsedMs / 1000)),
      welcomeP50Ms: r1(pct(o.times, 50)), welcomeP99Ms: r1(pct(o.times, 99)), welcomeMaxMs: r1(Math.max(...o.times)),
      serverCpuS: r3(o.serverCpuS), clientCpuS: r3(o.clientCpuS), serverCpuSByRole: o.serverCpuSByRole,
      serverCpuMsPerConn: r3((o.serverCpuS * 1000) / Math.max(1, o.ok)), loadAverage1m: r1(load),
    };
    console.log(JSON.stringify(run));
    runs.push(run);
  };
  for (let r = 0; r < rounds; r++) {
    for (const sv of servers) {
      const tests: Array<[string, number, number, (i: number) => LeanTransport]> = sv.shoal || sv.bare
        ? [[`${simul} simultaneous, TCP`, simul, 0, tcpOnly], [`${simul} simultaneous, half TCP half WS`, simul, 0, mix], [`${rateN}, ${inFlight} in flight, TCP`, rateN, inFlight, tcpOnly]]
        : [[`${rateN}, ${inFlight} in flight, TCP`, rateN, inFlight, tcpOnly]];
      for (const [test, n, k, tr] of tests) {
        // The bare baseline speaks raw TCP only.
        if (sv.bare && test.includes('WS')) continue;
        // A fresh server for every test: none pays for the connections of another.
        const s = await sv.start();
        try {
          await sleep(1000);
          const load = os.loadavg()[0]!;
          const o = await openMany(s.port, s.proc.pid, n, k, tr);
          record(sv.name, test, n, o, r + 1, load);
          await closeAll(o);
        } finally {
          await s.stop();
        }
      }
    }
  }
  const tests = [...new Set(runs.map((x) => x.test as string))];
  const summary = servers.flatMap((sv) => tests.map((t) => {
    const mine = runs.filter((x) => x.server === sv.name && x.test === t);
    if (mine.length === 0) return null;
    return {
      server: sv.name, test: t,
      welcomeMaxMsMedian: median(mine.map((x) => x.welcomeMaxMs as number)),
      welcomeP50MsMedian: median(mine.map((x) => x.welcomeP50Ms as number)),
      setupPerSecondMedian: median(mine.map((x) => x.setupPerSecond as number)),
      allWelcomed: mine.every((x) => x.failed === 0),
      serverCpuSMedian: median(mine.map((x) => x.serverCpuS as number)), clientCpuSMedian: median(mine.map((x) => x.clientCpuS as number)),
      serverCpuMsPerConnMedian: median(mine.map((x) => x.serverCpuMsPerConn as number)),
      serverCpuSByRoleMedian: Object.fromEntries(['primary', 'coordinator', 'workers'].map((k) => [k, median(mine.map((x) => (x.serverCpuSByRole as Record<string, number>)[k] ?? 0))])),
    };
  }).filter((x) => x !== null));
  // Each build beside this one, round by round: ratio this ÷ other per round, then the median.
  const ab = builds.slice(1).flatMap((other) => tests.map((t) => {
    const ratios = (field: string) => {
      const out: number[] = [];
      for (let r = 1; r <= rounds; r++) {
        const mine = runs.find((x) => x.server === builds[0]!.name && x.test === t && x.round === r);
        const theirs = runs.find((x) => x.server === other.name && x.test === t && x.round === r);
        if (mine && theirs) out.push(r3((mine[field] as number) / (theirs[field] as number)));
      }
      return out;
    };
    const row = { test: t, versus: other.name, welcomeMax: ratios('welcomeMaxMs'), welcomeP50: ratios('welcomeP50Ms'), setupPerSecond: ratios('setupPerSecond'), serverCpuS: ratios('serverCpuS') };
    return {
      ...row,
      welcomeMaxRatioMedian: median(row.welcomeMax), welcomeP50RatioMedian: median(row.welcomeP50),
      setupPerSecondRatioMedian: median(row.setupPerSecond), serverCpuRatioMedian: median(row.serverCpuS),
    };
  }));
  // The rate test's set-up rate of every server ÷ the seed's in the same round (the target is 10x).
  const rateTest = `${rateN}, ${inFlight} in flight, TCP`;
  const seedName = 'seed (python fork)';
  const versusSeed = withSeed
    ? servers.filter((sv) => sv.name !== seedName).map((sv) => {
      const perRound: number[] = [];
      for (let r = 1; r <= rounds; r++) {
        const mine = runs.find((x) => x.server === sv.name && x.test === rateTest && x.round === r);
        const seed = runs.find((x) => x.server === seedName && x.test === rateTest && x.round === r);
        if (mine && seed) perRound.push(r3((mine.setupPerSecond as number) / (seed.setupPerSecond as number)));
      }
      return { server: sv.name, test: rateTest, setupPerSecondVsSeed: perRound, median: median(perRound) };
    })
    : [];
  return {
    what: 'connection set-up: simultaneous connects to welcome, and set-up rate at a true number in flight',
    method: `Lean sockets from this one load process (so "${inFlight} in flight" is ${inFlight} in all). A fresh server for every test (${os.availableParallelism()} Shoal workers). ` +
      `Simultaneous: ${simul} connect() calls in one turn, each hello sent on connect, timed from its connect() call to its welcome. ` +
      `Rate: ${rateN} connections, a new one started as soon as one is welcomed, ${inFlight} at a time; rate = welcomed ÷ time from the first connect() to the last welcome. ` +
      'Connections stay open until the test ends. Server CPU: the server\'s process tree from /proc; client CPU: this process. Medians over rounds. ' +
      'Bare baselines (--bare): the same client against loadtest/baselines/bare-net-server.ts under node:cluster (its primary\'s CPU as primary, the rest as workers), TCP only.',
    fdLimit: fd, hello: decode(HELLO), summary, ab, versusSeed, runs,
  };
}

async function main(): Promise<void> {
  stopAllOnExit();
  const { cmd, opts, builds } = parseArgs(process.argv.slice(2));
  const m = machine();
  const started = new Date().toISOString();
  let body: { summary: unknown };
  if (cmd === 'memory') body = await memory(opts, builds);
  else if (cmd === 'connects') body = await connects(opts, builds);
  else throw new Error('usage: conn-bench.js memory|connects [options] (see the header of loadtest/conn-bench.ts)');
  const out = { command: `node dist/loadtest/conn-bench.js ${process.argv.slice(2).join(' ')}`, startedAt: started, machine: m, loadAverageEnd: os.loadavg(), ...body };
  const text = JSON.stringify(out, null, 2);
  const file = opts.get('out');
  if (file) fs.writeFileSync(file, text + '\n');
  console.log(JSON.stringify(out.summary, null, 2));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
