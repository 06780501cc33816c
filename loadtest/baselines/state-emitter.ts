// Baseline: a 20 Hz state emitter that speaks just enough of Shoal's wire for the lean load client,
// at as little cost per player as a Node server can have, so the client's own capacity can be
// measured without Shoal's limits in the way. One port for both transports (told apart by the
// first bytes, as Shoal's primary does): TCP with 4-byte length framing, or a WebSocket upgraded
// at /ws. `hello` is answered with a prebuilt `welcome` (hz 20) and seats the connection; every
// tick ONE state message (a fixed 16-player `state` with that tick's number) is encoded and framed
// once per transport and written to every seated connection; `ping` gets a `pong`; everything else
// (inputs) is recognised by its first bytes and dropped. `--cluster N` runs N of it under
// node:cluster, each with its own ticks.
//   node dist/loadtest/baselines/state-emitter.js --port 9000 [--cluster 2]
import net from 'node:net';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decode, encode } from '../../shared/protocol/codec.js';
import { frame } from '../../shared/protocol/framing.js';
import { wsBinaryFrame } from '../../shared/protocol/ws-frame.js';
import { runBaseline } from './cluster-or-single.js';

/** Shoal's default tick rate, announced in the welcome. */
export const EMITTER_HZ = 20;
/** Ticks a late timer sends at once to catch up; older ones are dropped (the client sees them missing). */
const MAX_CATCH_UP = 3;
/** A client message longer than this closes the connection (inputs and pings are ~40 bytes). */
const MAX_MESSAGE = 64 * 1024;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const WELCOME = Buffer.from(encode({
  t: 'welcome', id: 'e1', token: 'emitter', room: 'emitter', hz: EMITTER_HZ, tick: 0, resumed: false,
  world: { w: 1000, h: 1000 },
}));
const WELCOME_TCP = frame(WELCOME);
const WELCOME_WS = wsBinaryFrame(WELCOME);

/** A room of 16 moving players, as an arena delta carries them; the same every tick but its number. */
const STATE_PLAYERS = Array.from({ length: 16 }, (_, i) => [`p${1000 + i}`, 100 + i * 50, 500 - i * 20, i * 3]);

/** The first bytes of a client message `{t: <type>, ...}` whose type is 'hello' or 'ping' (maps of 2-4 keys). */
function kindOf(b: Buffer, at: number, len: number): 'hello' | 'ping' | null {
  if (len < 8 || (b[at]! & 0xf0) !== 0x80 || b[at + 1] !== 0xa1 || b[at + 2] !== 0x74) return null;
  const n = b[at + 3]! - 0xa0;
  if (n === 4 && b[at + 4] === 0x70 && b[at + 5] === 0x69 && b[at + 6] === 0x6e && b[at + 7] === 0x67) return 'ping';
  if (n === 5 && len >= 9 && b.toString('latin1', at + 4, at + 9) === 'hello') return 'hello';
  return null;
}

class Conn {
  ws = false;
  /** -1 until the transport is known (first bytes), then 0 while a WebSocket upgrades, 1 when framing. */
  phase = -1;
  seat = -1;
  private carry: Buffer | null = null;

  constructor(readonly sock: net.Socket, private readonly room: Room) {}

  onData(chunk: Buffer): void {
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (this.phase < 0) this.phase = buf[0] === 0x47 /* G */ ? 0 : 1;
    if (this.phase === 0) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return this.hold(buf, 0);
      const head = buf.toString('latin1', 0, end);
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1];
      if (!head.startsWith('GET /ws') || !key) return void this.sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      const accept = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
      this.sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      this.ws = true;
      this.phase = 1;
      buf = buf.subarray(end + 4);
    }
    const used = this.ws ? this.readWs(buf) : this.readTcp(buf);
    if (used < buf.length) this.hold(buf, used);
  }

  private hold(buf: Buffer, from: number): void {
    if (buf.length - from > MAX_MESSAGE + 14) return void this.sock.destroy();
    this.carry = Buffer.from(buf.subarray(from));
  }

  /** Drops a connection that sent a message too long for this server; its bytes are all consumed. */
  private refuse(buf: Buffer): number {
    this.sock.destroy();
    return buf.length;
  }

  private readTcp(buf: Buffer): number {
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > MAX_MESSAGE) return this.refuse(buf);
      if (buf.length - off - 4 < len) break;
      this.onMessage(buf, off + 4, len);
      off += 4 + len;
    }
    return off;
  }

  /** Client frames are masked: the body is unmasked in place (the chunk is ours) before it is read. */
  private readWs(buf: Buffer): number {
    let off = 0;
    while (buf.length - off >= 6) {
      const op = buf[off]! & 0x0f;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 8) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) return this.refuse(buf);
      if (len > MAX_MESSAGE) return this.refuse(buf);
      if (buf.length - off - head - 4 < len) break;
      const mask = off + head;
      const start = mask + 4;
      if (buf[mask] || buf[mask + 1] || buf[mask + 2] || buf[mask + 3]) {
        for (let i = 0; i < len; i++) buf[start + i]! ^= buf[mask + (i & 3)]!;
      }
      if (op === 0x2) this.onMessage(buf, start, len);
      else if (op === 0x8) this.sock.end();
      off = start + len;
    }
    return off;
  }

  private onMessage(buf: Buffer, start: number, len: number): void {
    const kind = kindOf(buf, start, len);
    if (kind === 'ping') {
      const m = decodeOrNull(buf.subarray(start, start + len));
      const body = encode({ t: 'pong', id: m?.id ?? null, tick: this.room.tick });
      this.sock.write(this.ws ? wsBinaryFrame(body) : frame(body));
    } else if (kind === 'hello' && this.seat < 0) {
      this.sock.write(this.ws ? WELCOME_WS : WELCOME_TCP);
      this.room.add(this);
    }
  }
}

function decodeOrNull(b: Buffer): { id?: unknown } | null {
  try {
    const m = decode(b) as { id?: unknown } | null;
    return m && typeof m === 'object' ? m : null;
  } catch {
    return null;
  }
}

/** Every seated connection of this process, and the tick that writes one state to each. */
class Room {
  tick = 0;
  private readonly conns: Conn[] = [];
  private readonly t0 = performance.now();
  private readonly period = 1000 / EMITTER_HZ;

  add(c: Conn): void {
    c.seat = this.conns.length;
    this.conns.push(c);
  }

  remove(c: Conn): void {
    if (c.seat < 0) return;
    const last = this.conns.pop()!;
    if (last !== c) {
      this.conns[c.seat] = last;
      last.seat = c.seat;
    }
    c.seat = -1;
  }

  start(): void {
    const loop = () => {
      const due = Math.floor((performance.now() - this.t0) / this.period);
      if (due - this.tick > MAX_CATCH_UP) this.tick = due - MAX_CATCH_UP;
      while (this.tick < due) this.broadcast(++this.tick);
      setTimeout(loop, Math.max(0, this.t0 + (this.tick + 1) * this.period - performance.now()));
    };
    setTimeout(loop, this.period);
  }

  /** One state encoded and framed once per transport, the same bytes written to every connection. */
  private broadcast(tick: number): void {
    if (this.conns.length === 0) return;
    const body = encode({ t: 'state', tick, full: false, players: STATE_PLAYERS, gone: [], coins: [], taken: [] });
    const tcp = frame(body);
    const ws = wsBinaryFrame(body);
    for (const c of this.conns) c.sock.write(c.ws ? ws : tcp);
  }
}

runBaseline(({ port, host }) => {
  const room = new Room();
  room.start();
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    const c = new Conn(sock, room);
    sock.on('data', (chunk: Buffer) => c.onData(chunk));
    sock.on('error', () => {});
    sock.on('close', () => room.remove(c));
  });
  return new Promise((resolve) => server.listen({ port, host, backlog: 4096 }, resolve));
});
