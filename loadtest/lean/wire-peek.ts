// Tells a server message's type from its first bytes, without decoding it. Shoal encodes every
// message as a map whose first key is `t` (`0x8N 0xa1 't'`, then the type as a fixstr), so a
// load client can count states and spot pongs by comparing a few bytes in place.

export const PEEK_OTHER = 0;
export const PEEK_STATE = 1;
export const PEEK_PONG = 2;
export const PEEK_WELCOME = 3;
export const PEEK_ERROR = 4;

const STATE = Buffer.from('state');
const PONG = Buffer.from('pong');
const WELCOME = Buffer.from('welcome');
const ERROR = Buffer.from('error');

function same(buf: Buffer, at: number, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) if (buf[at + i] !== word[i]) return false;
  return true;
}

/** The kind of the message whose body is buf[start, start+len). */
export function peek(buf: Buffer, start: number, len: number): number {
  if (len < 8 || (buf[start]! & 0xf0) !== 0x80 || buf[start + 1] !== 0xa1 || buf[start + 2] !== 0x74) return PEEK_OTHER;
  const n = buf[start + 3]! - 0xa0;
  const at = start + 4;
  if (n === 5 && same(buf, at, STATE)) return PEEK_STATE;
  if (n === 4 && same(buf, at, PONG)) return PEEK_PONG;
  if (n === 7 && same(buf, at, WELCOME)) return PEEK_WELCOME;
  if (n === 5 && same(buf, at, ERROR)) return PEEK_ERROR;
  return PEEK_OTHER;
}
