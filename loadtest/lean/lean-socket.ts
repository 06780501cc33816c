// One game connection with as little client work as possible: a raw TCP socket with Shoal's
// 4-byte length framing, or a raw WebSocket (handshake, masked binary frames out, unmasked frames
// in, pings answered) on a plain net.Socket. Reads bypass the stream machinery: every socket of
// the process reads into ONE shared buffer through net.connect's public `onread` option (no Buffer
// allocated per read, no 'data' event, nothing pushed into a Readable), and whole messages are
// handed over in place as (buffer, start, length). Only a message cut by the end of a read is
// copied, into the socket's own carry-over buffer. Frames to send can be built once (`framed`) and
// written again and again with `write`, so a load client allocates nothing per message it sends.
import net from 'node:net';
import crypto from 'node:crypto';

export type LeanTransport = 'tcp' | 'ws';

export interface LeanHandlers {
  onMessage(buf: Buffer, start: number, len: number): void;
  onClose(): void;
}

/**
 * The one read buffer of the process. A read's callback runs to its end before the next read
 * into the buffer, and keeps nothing of it, so every socket can share it.
 */
const READ_BUF = Buffer.allocUnsafe(64 * 1024);

/** A frame's header length for a body of n bytes: TCP's 4-byte length, or a masked WebSocket header. */
function headLength(transport: LeanTransport, n: number): number {
  if (transport === 'tcp') return 4;
  return n < 126 ? 6 : n < 65536 ? 8 : 14;
}

/** Writes the frame header for a body of n bytes at the start of out (the WebSocket mask is zero). */
function writeHead(transport: LeanTransport, out: Buffer, n: number): void {
  if (transport === 'tcp') {
    out.writeUInt32BE(n, 0);
    return;
  }
  writeWsHead(out, 0x2, n);
}

/** A client WebSocket header: FIN, the opcode, a zero mask (legal; the load client has nothing to hide). */
function writeWsHead(out: Buffer, op: number, n: number): number {
  out[0] = 0x80 | op;
  let at = 2;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
    at = 4;
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(n), 2);
    at = 10;
  }
  out.writeUInt32BE(0, at);
  return at + 4;
}

/** A message framed for a transport, with a view of its body to rewrite in place. */
export interface Framed {
  /** Header and body: what is written to the socket. */
  frame: Buffer;
  /** The body's bytes inside `frame`: a template writer fills them between sends. */
  body: Buffer;
}

export class LeanSocket {
  /** Carry-over: an incomplete message (or the upgrade answer) waiting for the rest of its bytes. */
  private carry: Buffer | null = null;
  private carryLen = 0;
  private handshaking: boolean;
  closed = false;

  private constructor(readonly transport: LeanTransport, private readonly sock: net.Socket, private readonly h: LeanHandlers) {
    this.handshaking = transport === 'ws';
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      h.onClose();
    });
  }

  /** Connects; a WebSocket upgrades at `path` (Shoal's is /ws; Colyseus names the room there). */
  static open(transport: LeanTransport, host: string, port: number, h: LeanHandlers, path = '/ws'): Promise<LeanSocket> {
    return new Promise((resolve, reject) => {
      let ls: LeanSocket | null = null;
      const sock = net.connect({
        host, port, noDelay: true,
        // true: keep reading (false would pause the socket).
        onread: {
          buffer: READ_BUF,
          callback: (n: number) => {
            ls?.onRead(n);
            return true;
          },
        },
      });
      const fail = (err: Error) => reject(err);
      sock.once('error', fail);
      sock.once('connect', () => {
        ls = new LeanSocket(transport, sock, h);
        if (transport === 'tcp') {
          sock.off('error', fail);
          return resolve(ls);
        }
        const key = crypto.randomBytes(16).toString('base64');
        sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        ls.upgraded = () => {
          sock.off('error', fail);
          resolve(ls!);
        };
        ls.upgradeFailed = (why) => {
          sock.destroy();
          reject(new Error(why));
        };
      });
    });
  }

  /** A body framed for a transport once, to be rewritten in place and sent many times with write(). */
  static framed(transport: LeanTransport, body: Buffer): Framed {
    const head = headLength(transport, body.length);
    const frame = Buffer.allocUnsafe(head + body.length);
    writeHead(transport, frame, body.length);
    body.copy(frame, head);
    return { frame, body: frame.subarray(head) };
  }

  private upgraded: () => void = () => {};
  private upgradeFailed: (why: string) => void = () => {};

  /** Sends one message body (framed for TCP, a masked binary frame for WebSocket); allocates a frame. */
  send(body: Buffer): void {
    this.write(LeanSocket.framed(this.transport, body).frame);
  }

  /** Writes bytes already framed for this socket's transport (one or several frames back to back). */
  write(frames: Buffer): void {
    if (!this.closed) this.sock.write(frames);
  }

  /**
   * Whether an earlier write is still queued in this process (the kernel took only part of it).
   * A queued write holds its buffer: a frame must not be rewritten in place while this is true.
   */
  get busy(): boolean {
    return this.sock.writableLength > 0;
  }

  close(): void {
    this.sock.destroy();
  }

  /** n bytes arrived in READ_BUF. */
  private onRead(n: number): void {
    if (this.carryLen === 0 && !this.handshaking) {
      const used = this.readFrames(READ_BUF, 0, n);
      if (used < n) this.keep(READ_BUF, used, n);
      return;
    }
    this.keep(READ_BUF, 0, n);
    const buf = this.carry!;
    let off = 0;
    if (this.handshaking) {
      const end = buf.subarray(0, this.carryLen).indexOf('\r\n\r\n', 0, 'latin1');
      if (end < 0) return;
      if (!buf.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) {
        this.carryLen = 0;
        return this.upgradeFailed(buf.toString('latin1', 0, Math.min(end, 80)));
      }
      this.handshaking = false;
      this.upgraded();
      off = end + 4;
    }
    const used = this.readFrames(buf, off, this.carryLen);
    buf.copyWithin(0, used, this.carryLen);
    this.carryLen -= used;
  }

  /** Appends src[from, to) to the carry-over buffer, growing it when needed. */
  private keep(src: Buffer, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (!this.carry || this.carry.length < need) {
      const bigger = Buffer.allocUnsafe(Math.max(4096, 2 ** Math.ceil(Math.log2(need))));
      if (this.carry) this.carry.copy(bigger, 0, 0, this.carryLen);
      this.carry = bigger;
    }
    src.copy(this.carry, this.carryLen, from, to);
    this.carryLen = need;
  }

  /** Hands every whole frame in buf[off, end) over; returns where the first incomplete one starts. */
  private readFrames(buf: Buffer, off: number, end: number): number {
    return this.transport === 'tcp' ? this.readTcpFrames(buf, off, end) : this.readWsFrames(buf, off, end);
  }

  private readTcpFrames(buf: Buffer, off: number, end: number): number {
    while (end - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (end - off - 4 < len) break;
      this.h.onMessage(buf, off + 4, len);
      off += 4 + len;
    }
    return off;
  }

  /** Data frames are handed over, pings answered, a close ends the socket (servers do not mask). */
  private readWsFrames(buf: Buffer, off: number, end: number): number {
    while (end - off >= 2) {
      const op = buf[off]! & 0x0f;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (end - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (end - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (end - off - head < len) break;
      const start = off + head;
      if (op === 0x2) this.h.onMessage(buf, start, len);
      else if (op === 0x9) this.pong(buf, start, len);
      else if (op === 0x8) this.sock.end();
      off = start + len;
    }
    return off;
  }

  /** Answers a WebSocket ping with its payload (copied: buf is the shared read buffer). */
  private pong(buf: Buffer, start: number, len: number): void {
    const out = Buffer.allocUnsafe(headLength('ws', len) + len);
    buf.copy(out, writeWsHead(out, 0xa, len), start, start + len);
    this.write(out);
  }
}
