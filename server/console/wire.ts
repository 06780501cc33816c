import { CodedError } from '../../shared/errors/coded-error.js';
// The console's wire form: one request per line, one JSON answer per line, in request order.
// A line is either a JSON object {"id":..,"cmd":"..","args":[..]} (for scripts) or plain words
// as a person types them (for socat). Nothing here evaluates anything: a request is only ever
// a command name and a list of strings.

const MAX_ARGS = 64;
const MAX_CMD = 64;

export type RequestId = string | number | null;

export interface ConsoleRequest {
  id: RequestId;
  cmd: string;
  args: string[];
}

export type Answer =
  | { id: RequestId; ok: true; data: unknown }
  | { id: RequestId; ok: false; error: { code: string; message: string } };

/** Parses one line; throws CodedError BAD_REQUEST (carrying the id when it could be read). */
export function parseLine(line: string): ConsoleRequest {
  const text = line.trim();
  if (text.startsWith('{')) return parseJson(text);
  const words = tokenize(text);
  if (words.length === 0) throw new CodedError('BAD_REQUEST', 'empty request');
  return checked({ id: null, cmd: words[0]!, args: words.slice(1) });
}

/** A request that cannot run, with the id to answer it by when one could be read. */
export class BadRequest extends CodedError {
  constructor(message: string, readonly id: RequestId, code = 'BAD_REQUEST') {
    super(code, message);
  }
}

function parseJson(text: string): ConsoleRequest {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw new BadRequest(`not valid JSON: ${(err as Error).message}`, null);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new BadRequest('a request must be a JSON object', null);
  const r = o as Record<string, unknown>;
  const id = r.id === undefined ? null : r.id;
  if (id !== null && typeof id !== 'string' && typeof id !== 'number') throw new BadRequest('"id" must be a string or a number', null);
  if (typeof r.cmd !== 'string' || r.cmd === '') throw new BadRequest('"cmd" must be a non-empty string', id);
  const rawArgs = r.args === undefined ? [] : r.args;
  if (!Array.isArray(rawArgs)) throw new BadRequest('"args" must be an array of strings', id);
  const args: string[] = [];
  for (const a of rawArgs) {
    if (typeof a === 'string') args.push(a);
    else if (typeof a === 'number' && Number.isFinite(a)) args.push(String(a));
    else throw new BadRequest('"args" must be an array of strings', id);
  }
  return checked({ id, cmd: r.cmd, args });
}

function checked(r: ConsoleRequest): ConsoleRequest {
  if (r.cmd.length > MAX_CMD || !/^[a-z][a-z0-9-]*$/i.test(r.cmd)) {
    throw new BadRequest(`unknown command ${JSON.stringify(r.cmd.slice(0, MAX_CMD))}; "help" lists the commands`, r.id, 'UNKNOWN_COMMAND');
  }
  if (r.args.length > MAX_ARGS) throw new BadRequest(`at most ${MAX_ARGS} arguments`, r.id);
  return { ...r, cmd: r.cmd.toLowerCase() };
}

/**
 * Splits a typed line into words: whitespace separates, "double" and 'single' quotes group, and
 * a backslash escapes the next character outside single quotes.
 */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new CodedError('BAD_REQUEST', `unterminated ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}

export function errorAnswer(id: RequestId, err: unknown): Answer {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { id, ok: false, error: { code, message } };
}
