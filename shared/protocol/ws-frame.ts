// The bytes of a server-to-client WebSocket message, built here once so that a broadcast hands
// the same frame to every WebSocket player and each one costs a single socket write (ws.send
// would build a header per client and write header and payload as two pieces).
// RFC 6455 section 5.2: a server's frames are never masked.

/** FIN bit plus opcode 2 (binary): one whole binary message, no extension bits (RSV1-3 clear). */
const FIN_BINARY = 0x82;

/** Header bytes of an unmasked frame carrying n payload bytes. */
export function wsHeaderBytes(n: number): number {
  return n < 126 ? 2 : n < 0x10000 ? 4 : 10;
}

/** One unfragmented, unmasked, uncompressed binary WebSocket frame holding body. */
export function wsBinaryFrame(body: Uint8Array): Buffer {
  const n = body.length;
  const head = wsHeaderBytes(n);
  const out = Buffer.allocUnsafe(head + n);
  out[0] = FIN_BINARY;
  if (head === 2) {
    out[1] = n;
  } else if (head === 4) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.set(body, head);
  return out;
}
