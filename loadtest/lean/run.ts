// Drives N arena players from this one process at as little cost per player as possible, so the
// figures measure the server and not the client: messages are counted by peeking at their first
// bytes (never decoded, except a welcome, an error and a Colyseus pong), every socket reads into
// one shared buffer (lean-socket.ts), each player's input and ping are framed once into one buffer
// and rewritten in place (a ping goes out in the same write as the input of its turn), one timer
// serves every player, and RTT samples go into one array. The server's wire is a LeanProtocol
// (protocol.ts): Shoal's, or the Colyseus peer's.
import { performance } from 'node:perf_hooks';
import { treeCpuSeconds } from '../proc-stats.js';
import { LeanSocket, type LeanTransport } from './lean-socket.js';
import type { LeanProtocol } from './protocol.js';
import { shoalProtocol } from './shoal-protocol.js';

export interface LeanOptions {
  host: string;
  port: number;
  players: number;
  /** tcp, ws, or mix (even players TCP, odd WebSocket). */
  transport: LeanTransport | 'mix';
  seconds: number;
  warmupSeconds: number;
  inputHz: number;
  pingHz: number;
  /** Joins started a second. */
  rampPerSecond: number;
  /** Pid of the server's primary: its whole process tree is the server's CPU. */
  serverPid?: number;
  /** The server's wire (default Shoal's). */
  protocol?: LeanProtocol;
  /** Called as the measured window opens and as it closes (a caller samples its own counters there: Redis, say). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LeanResult {
  players: number;
  joined: number;
  joinFailed: number;
  closedDuringWindow: number;
  seconds: number;
  hz: number;
  statesExpected: number;
  statesReceived: number;
  delivered: number;
  rttP50Ms: number | null;
  rttP99Ms: number | null;
  rttMaxMs: number | null;
  pongs: number;
  clientCores: number;
  serverCores: number | null;
  serverCoresPer1000: number | null;
  clientCpuMsPerPlayerSecond: number;
  /** Player turns that found an earlier write still queued (the server not reading): their frames were reallocated. */
  writesQueued: number;
  errors: Record<string, number>;
}

const TICK_MS = 10;

interface Player {
  sock: LeanSocket | null;
  transport: LeanTransport;
  seq: number;
  states: number;
  pingAt: number;
  pingId: number;
  dx: number;
  dy: number;
  out: Outgoing;
  open: boolean;
}

/** A player's input frame then its ping frame, back to back in one buffer, with views into it. */
interface Outgoing {
  /** Both frames: the write of a turn with a ping in it. */
  both: Buffer;
  /** The input frame alone. */
  inputFrame: Buffer;
  inputBody: Buffer;
  pingFrame: Buffer;
  pingBody: Buffer;
}

function outgoing(proto: LeanProtocol, transport: LeanTransport): Outgoing {
  const input = LeanSocket.framed(transport, proto.inputTemplate());
  const ping = LeanSocket.framed(transport, proto.pingTemplate());
  const both = Buffer.concat([input.frame, ping.frame]);
  const cut = input.frame.length;
  return {
    both,
    inputFrame: both.subarray(0, cut),
    inputBody: both.subarray(cut - input.body.length, cut),
    pingFrame: both.subarray(cut),
    pingBody: both.subarray(both.length - ping.body.length),
  };
}

export async function runLean(o: LeanOptions): Promise<LeanResult> {
  const proto = o.protocol ?? shoalProtocol;
  for (const t of o.transport === 'mix' ? (['tcp', 'ws'] as const) : [o.transport]) {
    if (!proto.transports.includes(t)) throw new Error(`${proto.name} does not speak ${t}`);
  }
  const errors: Record<string, number> = {};
  const countError = (code: string) => (errors[code] = (errors[code] ?? 0) + 1);
  let hz = 0;
  let measuring = false;
  let closedDuringWindow = 0;
  let rtts = new Float64Array(Math.max(1024, Math.ceil(o.players * o.pingHz * (o.seconds + 2))));
  let rttN = 0;
  let pongs = 0;

  const players: Player[] = [];
  for (let i = 0; i < o.players; i++) {
    const angle = Math.random() * Math.PI * 2;
    const transport = o.transport === 'mix' ? (i % 2 ? 'ws' : 'tcp') : o.transport;
    players.push({
      sock: null, transport, seq: 0, states: 0, pingAt: 0, pingId: 0, dx: Math.cos(angle), dy: Math.sin(angle),
      out: outgoing(proto, transport), open: false,
    });
  }
  // A write the kernel did not take whole stays queued holding its buffer: that player's frames
  // are then rewritten into fresh buffers, never under the queued bytes.
  let requeued = 0;
  const writable = (p: Player) => {
    if (p.sock!.busy) {
      p.out = outgoing(proto, p.transport);
      requeued++;
    }
    return p.out;
  };

  const join = (p: Player, i: number) => new Promise<boolean>((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (!settled) {
        settled = true;
        clearTimeout(giveUp);
        resolve(ok);
      }
    };
    const giveUp = setTimeout(() => done(false), 15_000);
    proto.seat(o.host, o.port, i, p.transport, {
      state() {
        p.states++;
      },
      pong(id) {
        // A pong for an earlier ping (one that outlived its second) is not this ping's RTT.
        if (p.pingAt > 0 && measuring && (id === null || id === p.pingId)) {
          if (rttN === rtts.length) {
            const bigger = new Float64Array(rtts.length * 2);
            bigger.set(rtts);
            rtts = bigger;
          }
          rtts[rttN++] = performance.now() - p.pingAt;
          pongs++;
        }
        p.pingAt = 0;
      },
      error: countError,
      closed() {
        if (p.open && measuring) closedDuringWindow++;
        p.open = false;
      },
    }).then((seat) => {
      if (settled) return seat.sock.close();
      if (hz === 0) hz = seat.hz;
      p.sock = seat.sock;
      p.open = true;
      done(true);
    }, (err: Error) => {
      countError(err.message);
      done(false);
    });
  });

  // Ramp: start rampPerSecond joins a second, at most 200 waiting for their welcome at once.
  let joined = 0;
  let joinFailed = 0;
  {
    let next = 0;
    let inFlight = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const pump = () => {
        const allowed = Math.min(o.players, Math.floor(((performance.now() - started) / 1000) * o.rampPerSecond) + 1);
        while (next < allowed && inFlight < 200) {
          const i = next++;
          inFlight++;
          void join(players[i]!, i).then((ok) => {
            inFlight--;
            if (ok) joined++;
            else joinFailed++;
            if (joined + joinFailed === o.players) resolve();
          });
        }
        if (next < o.players) setTimeout(pump, 5);
      };
      pump();
    });
  }

  // One timer for everyone: each 10 ms slot, the players whose turn it is send an input (and,
  // once a second, a ping: in the same write when the ping's turn falls on an input turn, as it
  // does whenever the ping period is a multiple of the input period). Late timers catch up on the
  // slots they missed.
  const inputEvery = Math.max(1, Math.round(1000 / o.inputHz / TICK_MS));
  const pingEvery = Math.max(1, Math.round(1000 / o.pingHz / TICK_MS));
  const pingWithInput = pingEvery % inputEvery === 0;
  const t0 = performance.now();
  let slotDone = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const slotNow = Math.floor((now - t0) / TICK_MS);
    for (; slotDone < slotNow; slotDone++) {
      const ip = slotDone % inputEvery;
      const pp = slotDone % pingEvery;
      for (let i = ip; i < players.length; i += inputEvery) {
        const p = players[i]!;
        if (!p.open) continue;
        if ((p.seq & 31) === 31) {
          const a = Math.random() * Math.PI * 2;
          p.dx = Math.cos(a);
          p.dy = Math.sin(a);
        }
        const out = writable(p);
        proto.writeInput(out.inputBody, ++p.seq, p.dx, p.dy);
        if (pingWithInput && i % pingEvery === pp) {
          proto.writePing(out.pingBody, ++p.pingId);
          p.pingAt = now;
          p.sock!.write(out.both);
        } else p.sock!.write(out.inputFrame);
      }
      if (pingWithInput) continue;
      for (let i = pp; i < players.length; i += pingEvery) {
        const p = players[i]!;
        if (!p.open) continue;
        const out = writable(p);
        proto.writePing(out.pingBody, ++p.pingId);
        p.pingAt = now;
        p.sock!.write(out.pingFrame);
      }
    }
  }, TICK_MS);

  await sleep(o.warmupSeconds * 1000);
  for (const p of players) p.states = 0;
  rttN = 0;
  pongs = 0;
  measuring = true;
  o.onWindow?.('start');
  const c0 = process.cpuUsage();
  const s0 = o.serverPid ? treeCpuSeconds(o.serverPid) : 0;
  const w0 = performance.now();
  await sleep(o.seconds * 1000);
  const wall = (performance.now() - w0) / 1000;
  const c1 = process.cpuUsage(c0);
  const s1 = o.serverPid ? treeCpuSeconds(o.serverPid) : 0;
  o.onWindow?.('end');
  measuring = false;
  clearInterval(timer);
  let statesReceived = 0;
  for (const p of players) statesReceived += p.states;
  for (const p of players) p.sock?.close();

  const sorted = Array.from(rtts.subarray(0, rttN)).sort((a, b) => a - b);
  const q = (f: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!) : null);
  const statesExpected = Math.round(joined * hz * wall);
  const clientCores = (c1.user + c1.system) / 1e6 / wall;
  const serverCores = o.serverPid ? (s1 - s0) / wall : null;
  return {
    players: o.players, joined, joinFailed, closedDuringWindow, seconds: round(wall), hz,
    statesExpected, statesReceived, delivered: statesExpected ? round(statesReceived / statesExpected, 4) : 0,
    rttP50Ms: q(0.5), rttP99Ms: q(0.99), rttMaxMs: sorted.length ? round(sorted[sorted.length - 1]!) : null, pongs,
    clientCores: round(clientCores, 3),
    serverCores: serverCores === null ? null : round(serverCores, 3),
    serverCoresPer1000: serverCores === null || joined === 0 ? null : round((serverCores / joined) * 1000, 3),
    clientCpuMsPerPlayerSecond: joined ? round(((c1.user + c1.system) / 1000 / wall) / joined, 4) : 0,
    writesQueued: requeued,
    errors,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
