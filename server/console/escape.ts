// What the console prints comes partly from players (names) and partly from whoever typed a
// command (kick reasons, ids): control, bidi and invisible characters in it could rewrite the
// operator's terminal or reorder a table. They are shown as escapes, never raw.
import { HIDDEN_CHARS } from '../../shared/protocol/text-rules.js';

const cp = (ch: string) => ch.codePointAt(0)!;

/** For a person: each hidden character as `\u{HEX}`, e.g. U+202E as `\u{202e}`. */
export function escapeForTerminal(s: string): string {
  return s.replace(HIDDEN_CHARS, (ch) => `\\u{${cp(ch).toString(16)}}`);
}

const u4 = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify output with every hidden character as a `\uXXXX` escape (a surrogate pair above
 * U+FFFF). JSON.stringify escapes C0 inside strings itself, so a C0 character here is layout (the
 * newlines of indented output) and stays; the others only occur inside strings, so the result
 * parses to the same value.
 */
export function escapeJson(json: string): string {
  return json.replace(HIDDEN_CHARS, (ch) => {
    const n = cp(ch);
    if (n < 0x20) return ch;
    if (n <= 0xffff) return u4(n);
    const v = n - 0x10000;
    return u4(0xd800 + (v >> 10)) + u4(0xdc00 + (v & 0x3ff));
  });
}
