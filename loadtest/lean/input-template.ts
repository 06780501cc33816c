// Client messages written into fixed byte templates, so a load client encodes nothing per message:
// an input is {t:'input', seq, dx, dy} with seq as a uint32 and dx/dy as float64 at fixed offsets;
// a ping is {t:'ping', id} with id as a uint32.
const INPUT_HEAD = Buffer.from([0x84, 0xa1, 0x74, 0xa5, ...Buffer.from('input'), 0xa3, ...Buffer.from('seq'), 0xce]);
const SEQ_AT = INPUT_HEAD.length;
const DX_AT = SEQ_AT + 4 + 3 + 1; // after seq, fixstr "dx", float64 marker
const DY_AT = DX_AT + 8 + 3 + 1;

export function inputTemplate(): Buffer {
  const b = Buffer.alloc(DY_AT + 8);
  INPUT_HEAD.copy(b, 0);
  b.set([0xa2, 0x64, 0x78, 0xcb], SEQ_AT + 4);
  b.set([0xa2, 0x64, 0x79, 0xcb], DX_AT + 8);
  return b;
}

export function writeInput(b: Buffer, seq: number, dx: number, dy: number): void {
  b.writeUInt32BE(seq >>> 0, SEQ_AT);
  b.writeDoubleBE(dx, DX_AT);
  b.writeDoubleBE(dy, DY_AT);
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
