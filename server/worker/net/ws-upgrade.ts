// The server's answer to a WebSocket upgrade request (RFC 6455 section 4.2), in place of the ws
// library's WebSocketServer: checks the request as ws did and answers 101 with the accept key, or
// refuses it with the same status codes ws gave (405 for a method other than GET; 400 for a bad
// Upgrade header, key, version or subprotocol list). No extension is ever accepted.
import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A base64 encoding of 16 bytes (section 4.1). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 7230 section 3.2.6), as a subprotocol name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The Sec-WebSocket-Accept value for a client's key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/**
 * Answers the upgrade: true when the socket is now a WebSocket (101 written), false when the
 * request was refused (the answer is written and the socket ends) or the socket is already gone.
 */
export function answerUpgrade(req: IncomingMessage, socket: net.Socket): boolean {
  socket.on('error', destroyOnError);
  if (req.method !== 'GET') return refuse(socket, 405, 'Invalid HTTP method');
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') return refuse(socket, 400, 'Invalid Upgrade header');
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return refuse(socket, 400, 'Missing or invalid Sec-WebSocket-Key header');
  const version = Number(req.headers['sec-websocket-version']);
  if (version !== 13 && version !== 8) {
    return refuse(socket, 400, 'Missing or invalid Sec-WebSocket-Version header', 'Sec-WebSocket-Version: 13, 8\r\n');
  }
  // ws chose the first subprotocol a client offered; so does this, so a client that offers one
  // keeps getting it.
  let protocol = '';
  const offered = req.headers['sec-websocket-protocol'];
  if (offered !== undefined) {
    const names = offered.split(',').map((s) => s.trim());
    if (names.some((s) => !TOKEN.test(s)) || new Set(names).size !== names.length) {
      return refuse(socket, 400, 'Invalid Sec-WebSocket-Protocol header');
    }
    protocol = `Sec-WebSocket-Protocol: ${names[0]}\r\n`;
  }
  // A client that already sent its FIN gets nothing.
  if (!socket.readable || !socket.writable) {
    socket.destroy();
    return false;
  }
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n${protocol}\r\n`,
  );
  return true;
}

function refuse(socket: net.Socket, code: number, message: string, extra = ''): false {
  socket.once('finish', destroyOnError);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`,
  );
  return false;
}

/** Shared by every socket (this: the socket), not a closure each. */
function destroyOnError(this: net.Socket): void {
  this.destroy();
}
