// Starting the servers under test: Shoal itself (on a free port, with a temp data directory) and
// the bare baselines. Each comes back as a RunningServer the scenario must stop (the process
// registry stops it anyway if the scenario throws).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { startProcess, type ManagedProcess } from './processes.js';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const REPO = path.resolve(DIST, '..');
export const SHOAL_MAIN = path.join(DIST, 'server', 'main.js');
const BASELINES = path.join(DIST, 'loadtest', 'baselines');
const SEED = path.join(REPO, 'loadtest', 'baselines', 'seed_fork_server.py');

export interface RunningServer {
  name: string;
  port: number;
  proc: ManagedProcess;
  /** Shoal's data directory (its console socket is there); removed by stop(). */
  data?: string;
  stop(): Promise<void>;
}

export interface ShoalStartOptions {
  workers: number;
  /** Extra command-line flags. */
  args?: string[];
  /** Flags for node itself (e.g. --cpu-prof); forked workers inherit them. */
  nodeArgs?: string[];
  /** Another build's dist/server/main.js (an old-vs-new run); this build's by default. */
  main?: string;
  /** Extra environment for the server (every process inherits it). */
  env?: Record<string, string>;
  /** The loopback address it binds (127.0.0.2, 127.0.0.3 make distinct hosts); default 127.0.0.1. */
  host?: string;
}

/**
 * Starts Shoal with limits raised for loopback load: the per-connection message rate (the default
 * 60/s would throttle a closed-loop ping test, which is measuring, not abuse) and the
 * per-address connection cap (every simulated client comes from 127.0.0.1).
 */
export async function startShoal(o: ShoalStartOptions): Promise<RunningServer> {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-loadtest-'));
  const log = fs.openSync(path.join(data, 'server.log'), 'a');
  const proc = startProcess(`shoal(${o.workers}w)`, process.execPath, [
    ...(o.nodeArgs ?? []), o.main ?? SHOAL_MAIN, '--port', String(port), '--host', o.host ?? '127.0.0.1', '--data', data, '--workers', String(o.workers),
    '--max-msg-rate', '100000', '--max-connections', '200000', '--max-connections-per-address', '200000',
    ...(o.args ?? []),
  ], { stdio: ['ignore', log, log], env: { ...process.env, SHOAL_LOG_LEVEL: process.env.SHOAL_LOG_LEVEL ?? 'warn', ...o.env } });
  fs.closeSync(log);
  const stop = async () => {
    await proc.stop(10_000);
    fs.rmSync(data, { recursive: true, force: true });
  };
  try {
    await waitForHealth(o.host ?? '127.0.0.1', port, proc, 30_000);
  } catch (err) {
    const tail = readTail(path.join(data, 'server.log'));
    await stop();
    throw new Error(`${(err as Error).message}\n--- server log tail ---\n${tail}`);
  }
  return { name: proc.name, port, proc, data, stop };
}

export type BaselineKind = 'net' | 'ws' | 'http' | 'seed';

/**
 * Starts a baseline server; `cluster` > 0 runs it under node:cluster with that many workers.
 * `schedNone`: node:cluster's SCHED_NONE (each worker accepts on the shared socket itself) instead
 * of its default on Linux, the primary accepting and passing each socket to a worker.
 */
export async function startBaseline(kind: BaselineKind, cluster = 0, schedNone = false): Promise<RunningServer> {
  const port = await freePort();
  const name = kind === 'seed' ? 'seed (python fork)' : `bare ${kind}${cluster ? ` cluster(${cluster})` : ''}${schedNone ? ', workers accept' : ''}`;
  const proc = kind === 'seed'
    ? startProcess(name, 'python3', [SEED, '--port', String(port)])
    : startProcess(name, process.execPath, [
      path.join(BASELINES, `bare-${kind}-server.js`), '--port', String(port), '--cluster', String(cluster),
    ], schedNone ? { env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: 'none' } } : {});
  try {
    await proc.waitForLine('ready', 15_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name, port, proc, stop: () => proc.stop(5000) };
}

function waitForHealth(host: string, port: number, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (!proc.alive) return reject(new Error(`${proc.name} exited during start-up`));
      if (Date.now() > deadline) return reject(new Error(`${proc.name}: /health not 200 within ${timeoutMs} ms`));
      const req = http.get({ host, port, path: '/health', timeout: 1000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else setTimeout(attempt, 200);
      });
      req.on('error', () => setTimeout(attempt, 200));
      req.on('timeout', () => req.destroy());
    };
    attempt();
  });
}

/** Fetches JSON from a server's HTTP endpoint (Shoal's /health, for instance). */
export function getJson(port: number, p: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    }).on('error', reject);
  });
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}
