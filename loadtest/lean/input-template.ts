// Client messages written into fixed byte templates, so a load client encodes nothing per message:
// an input is {t:'input', seq, dx, dy} with seq as a uint32 and dx/dy as float64 at fixed offsets;
// a ping is {t:'ping', id} with id as a uint32.
/**
 * An input template: `head` (whatever a server's wire puts before the fields, ending with the
 * uint32 marker of `seq`), then seq, then "dx" and "dy" as float64 — the same tail for every wire.
 */
export function inputTemplateAfter(head: Buffer): { make(): Buffer; write(b: Buffer, seq: number, dx: number, dy: number): void } {
  const seqAt = head.length;
  const dxAt = seqAt + 4 + 3 + 1; // after seq, fixstr "dx", float64 marker
  const dyAt = dxAt + 8 + 3 + 1;
  return {
    make(): Buffer {
      const b = Buffer.alloc(dyAt + 8);
      head.copy(b, 0);
      b.set([0xa2, 0x64, 0x78, 0xcb], seqAt + 4);
      b.set([0xa2, 0x64, 0x79, 0xcb], dxAt + 8);
      return b;
    },
    write(b: Buffer, seq: number, dx: number, dy: number): void {
      b.writeUInt32BE(seq >>> 0, seqAt);
      b.writeDoubleBE(dx, dxAt);
      b.writeDoubleBE(dy, dyAt);
    },
  };
}

const SHOAL_INPUT = inputTemplateAfter(Buffer.from([0x84, 0xa1, 0x74, 0xa5, ...Buffer.from('input'), 0xa3, ...Buffer.from('seq'), 0xce]));

export function inputTemplate(): Buffer {
  return SHOAL_INPUT.make();
}

export function writeInput(b: Buffer, seq: number, dx: number, dy: number): void {
  SHOAL_INPUT.write(b, seq, dx, dy);
}

const PING_HEAD = Buffer.from([0x82, 0xa1, 0x74, 0xa4, ...Buffer.from('ping'), 0xa2, ...Buffer.from('id'), 0xce]);

export function pingTemplate(): Buffer {
  const b = Buffer.alloc(PING_HEAD.length + 4);
  PING_HEAD.copy(b, 0);
  return b;
}

export function writePing(b: Buffer, id: number): void {
  b.writeUInt32BE(id >>> 0, PING_HEAD.length);
}
