// Shoal and a peer server side by side in one run: for each player count, a fresh Shoal and a
// fresh Colyseus peer are loaded in turn by the same lean client (the order swapped every round,
// so neither always runs second on a machine whose load drifts), and the medians over the rounds
// are set beside each other. Every run records the load average it started under.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { median, pairedRatio, ratio, type Ratio } from '../result.js';
import { startShoal, type RunningServer } from '../servers.js';
import { startColyseus } from '../peers/colyseus/start.js';
import { ARENA_ROOM, ARENA_RULES } from '../peers/colyseus/rules.js';
import { colyseusProtocol } from './colyseus-protocol.js';
import { runLean, type LeanResult } from './run.js';
import { shoalProtocol } from './shoal-protocol.js';
import type { LeanProtocol } from './protocol.js';
import type { LeanTransport } from './lean-socket.js';

export type Contender = 'shoal' | 'colyseus';

export interface VsPeerOptions {
  steps: number[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  inputHz: number;
  pingHz: number;
  rampPerSecond: number;
  /** Shoal's workers. */
  workers: number;
  /** Shoal's transport; the Colyseus peer speaks WebSocket only. */
  shoalTransport: LeanTransport | 'mix';
  log(line: string): void;
}

export interface VsRun extends LeanResult {
  server: Contender;
  round: number;
  /** 1-minute load average when this run started. */
  loadAverage1m: number;
}

const FIELDS = ['delivered', 'rttP50Ms', 'rttP99Ms', 'serverCores', 'serverCoresPer1000', 'clientCores'] as const;
type Field = typeof FIELDS[number];
const LABEL: Record<Field, string> = {
  delivered: 'delivered', rttP50Ms: 'RTT p50 ms', rttP99Ms: 'RTT p99 ms', serverCores: 'server cores',
  serverCoresPer1000: 'server cores /1000', clientCores: 'client cores',
};
const NAME: Record<Contender, string> = { shoal: 'Shoal', colyseus: 'Colyseus' };

/** The versions of the peer's packages, as installed (not every one exports its package.json). */
export function colyseusVersions(): string {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => {
    for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '?';
    }
    return '?';
  };
  return ['@colyseus/core', '@colyseus/ws-transport', '@colyseus/schema'].map((p) => `${p} ${version(p)}`).join(', ');
}

export interface VsOutcome {
  runs: VsRun[];
  /** Runs that could not be made (a server that did not start, a client that threw), said in the notes. */
  failures: string[];
}

export async function runVsPeer(o: VsPeerOptions): Promise<VsOutcome> {
  const runs: VsRun[] = [];
  const failures: string[] = [];
  const colyseus = colyseusProtocol({ room: ARENA_ROOM, hz: ARENA_RULES.hz });
  for (let round = 1; round <= o.rounds; round++) {
    for (const n of o.steps) {
      const order: Contender[] = round % 2 ? ['shoal', 'colyseus'] : ['colyseus', 'shoal'];
      for (const who of order) {
        const loadAverage1m = Math.round(os.loadavg()[0]! * 100) / 100;
        let server: RunningServer | null = null;
        try {
          server = who === 'shoal' ? await startShoal({ workers: o.workers }) : await startColyseus();
          const protocol: LeanProtocol = who === 'shoal' ? shoalProtocol : colyseus;
          const r = await runLean({
            host: '127.0.0.1', port: server.port, players: n, transport: who === 'shoal' ? o.shoalTransport : 'ws',
            seconds: o.seconds, warmupSeconds: o.warmupSeconds, inputHz: o.inputHz, pingHz: o.pingHz,
            rampPerSecond: o.rampPerSecond, serverPid: server.proc.pid, protocol,
          });
          runs.push({ ...r, server: who, round, loadAverage1m });
          o.log(
            `round ${round}, ${NAME[who]}, ${n} players (${r.joined} joined): delivered ${r.delivered}, RTT p50 ${r.rttP50Ms} ms ` +
            `p99 ${r.rttP99Ms} ms, server ${r.serverCores} cores (${r.serverCoresPer1000} per 1000), client ${r.clientCores} cores, ` +
            `load ${loadAverage1m}${Object.keys(r.errors).length ? `, errors ${JSON.stringify(r.errors)}` : ''}`,
          );
        } catch (err) {
          const why = `round ${round}, ${NAME[who]}, ${n} players: ${(err as Error).message.split('\n')[0]}`;
          failures.push(why);
          o.log(`FAILED ${why}`);
        } finally {
          await server?.stop();
        }
      }
    }
  }
  return { runs, failures };
}

function med(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.round(median(v) * 10000) / 10000 : null;
}

/** One row per player count and round, plus the medians: Shoal's columns beside Colyseus's. */
export function sideBySideRows(runs: VsRun[], steps: number[]): Array<Record<string, string | number | null>> {
  const rows: Array<Record<string, string | number | null>> = [];
  const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);
  for (const n of steps) {
    const at = runs.filter((r) => r.players === n);
    const row = (label: string, pick: (who: Contender) => VsRun[]) => {
      const out: Record<string, string | number | null> = { players: n, round: label };
      for (const who of ['shoal', 'colyseus'] as const) {
        const rs = pick(who);
        out[`${NAME[who]} joined`] = med(rs.map((r) => r.joined));
        for (const f of FIELDS) out[`${NAME[who]} ${LABEL[f]}`] = med(rs.map((r) => r[f]));
      }
      out['load avg'] = med(pick('shoal').concat(pick('colyseus')).map((r) => r.loadAverage1m));
      return out;
    };
    rows.push(row('median', (who) => at.filter((r) => r.server === who)));
    for (const round of rounds) rows.push(row(String(round), (who) => at.filter((r) => r.server === who && r.round === round)));
  }
  return rows;
}

/** Server cores per 1000 players for both, and Shoal's over Colyseus's paired within each round. */
export function vsRatios(runs: VsRun[], steps: number[]): Ratio[] {
  const out: Ratio[] = [];
  for (const n of steps) {
    const of = (who: Contender) => runs.filter((r) => r.players === n && r.server === who).sort((a, b) => a.round - b.round);
    const s = of('shoal');
    const c = of('colyseus');
    out.push(ratio(`Shoal server cores per 1000 players at ${n}`, med(s.map((r) => r.serverCoresPer1000))));
    out.push(ratio(`Colyseus server cores per 1000 players at ${n}`, med(c.map((r) => r.serverCoresPer1000))));
    out.push(ratio(`Shoal / Colyseus server cores at ${n} (paired by round)`, pairedRatio(s.map((r) => r.serverCores ?? 0), c.map((r) => r.serverCores ?? 0))));
  }
  return out;
}
