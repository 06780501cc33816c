// What a player may put in a name and in a chat line, beyond the length limits (docs/PROTOCOL.md,
// "Names and chat"). Names are what other players and the operator read to tell players apart, so a
// name that hides characters, reorders itself or reads as the operator's is refused; chat is free
// text, so characters that could corrupt a terminal or the layout around the line are dropped.

/**
 * Characters no name may hold: C0 and C1 controls and DEL; bidirectional embeddings, overrides,
 * isolates and marks; zero-width and other invisible format characters; line and paragraph
 * separators; and fillers that render as nothing.
 */
const HIDDEN_CLASS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f' +
  '\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0e\\ufeff\\uffa0\\ufff0-\\ufffb\\u{e0000}-\\u{e007f}';
// The class lists joiners and variation selectors one by one on purpose: each is forbidden on its own.
// eslint-disable-next-line no-misleading-character-class
const NAME_FORBIDDEN = new RegExp(`[${HIDDEN_CLASS}]`, 'u');

/** Every occurrence of a character no name may hold: what a console escapes before printing. */
// eslint-disable-next-line no-misleading-character-class -- as NAME_FORBIDDEN
export const HIDDEN_CHARS = new RegExp(`[${HIDDEN_CLASS}]`, 'gu');

/**
 * Characters dropped from chat: C0 and C1 controls and DEL (a tab, newline or line separator
 * becomes a space), and the bidi embeddings, overrides and isolates that would reorder text
 * after them. Bidi marks (U+200E/F, U+061C) and joiners (U+200C/D, used by scripts and emoji) stay:
 * they change nothing beyond the characters next to them.
 */
// eslint-disable-next-line no-control-regex
const CHAT_DROPPED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CHAT_SPACED = /[\t\n\r\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const CHAT_ANY = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/**
 * Names only the server speaks as. A name is refused when its folded form (see foldName) is one
 * of these folded, so "Server", "S E R V E R", "ѕerver" (Cyrillic ѕ), "5erver" and "[admin]" are
 * all refused.
 */
export const RESERVED_NAMES = [
  'server', 'operator', 'admin', 'administrator', 'system', 'moderator', 'mod', 'console', 'shoal',
  'root', 'staff', 'official', 'sysop',
] as const;

// Letters from other scripts that look like Latin ones, and digits and signs used for letters.
const CONFUSABLE: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '|': 'l', '!': 'l',
  i: 'l', // "admin" and "admln" fold alike
};

/**
 * The form two names are compared in when checking for reserved names: compatibility-decomposed,
 * diacritics dropped, lower case, confusable letters and look-alike digits mapped to Latin, "rn"
 * read as "m" and "vv" as "w", and everything but letters dropped.
 */
export function foldName(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKD').toLowerCase()) out += CONFUSABLE[ch] ?? ch;
  return out.replace(/\p{M}/gu, '').replace(/[^\p{L}]/gu, '').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

const RESERVED_FOLDED = new Set(RESERVED_NAMES.map(foldName));

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Normalises a name to NFC and checks it against the rules above; `field` names it in the error. */
export function checkName(raw: string, field: string): NameCheck {
  const name = raw.normalize('NFC');
  const bad = NAME_FORBIDDEN.exec(name);
  if (bad) {
    return { ok: false, message: `${field} must not contain control, bidi or invisible characters (${hex(bad[0].codePointAt(0)!)} at ${bad.index})` };
  }
  if (RESERVED_FOLDED.has(foldName(name))) {
    return { ok: false, message: `${field} ${JSON.stringify(name)} is reserved (it reads as one of: ${RESERVED_NAMES.join(', ')})` };
  }
  return { ok: true, name };
}

/**
 * A chat line as it is passed on: NFC, controls and bidi embeddings/overrides/isolates dropped,
 * tabs and line breaks as spaces, trimmed. The empty string means nothing printable was left.
 */
export function cleanChat(raw: string): string {
  let text = raw;
  if (CHAT_ANY.test(text)) text = text.replace(CHAT_SPACED, ' ').replace(CHAT_DROPPED, '').trim();
  return text.normalize('NFC');
}
