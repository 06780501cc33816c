// Renders a console answer for a person: lists of records as aligned tables, records as aligned
// "key  value" lines (nested records flattened with dots), and nested lists as titled tables.
// Every value is escaped (escape.ts): names and reasons must not drive the terminal.
import { escapeForTerminal } from './escape.js';

type Row = Record<string, unknown>;

const isRecord = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value that is neither a list nor a record, as text (an object of another kind as JSON). */
function scalarText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return v.toString();
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'function';
    default:
      return JSON.stringify(v);
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length ? v.map(cell).join(',') : '-';
  if (isRecord(v)) return escapeForTerminal(JSON.stringify(v));
  return escapeForTerminal(scalarText(v));
}

const isNumeric = (v: unknown) => typeof v === 'number';

export function table(rows: Row[]): string {
  if (rows.length === 0) return '(none)';
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  // Numbers line up on the right, text on the left.
  const right = cols.map((c) => rows.some((r) => isNumeric(r[c])) && rows.every((r) => r[c] === null || r[c] === undefined || isNumeric(r[c])));
  const fmt = (vals: string[]) =>
    vals.map((v, i) => (i === vals.length - 1 && !right[i] ? v : right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [fmt(cols.map((c) => c.toUpperCase())), ...cells.map(fmt)].join('\n');
}

function flatten(o: Row, prefix: string, pairs: Array<[string, string]>, sections: Array<[string, unknown[]]>): void {
  for (const [k, v] of Object.entries(o)) {
    const key = escapeForTerminal(prefix ? `${prefix}.${k}` : k);
    if (isRecord(v)) flatten(v, key, pairs, sections);
    else if (Array.isArray(v) && v.some(isRecord)) sections.push([key, v]);
    else pairs.push([key, cell(v)]);
  }
}

export function render(data: unknown): string {
  if (data === null || data === undefined) return 'ok';
  if (Array.isArray(data)) {
    if (data.length === 0) return '(none)';
    if (data.every(isRecord)) return table(data);
    return data.map(cell).join('\n');
  }
  if (!isRecord(data)) return scalarText(data);
  const pairs: Array<[string, string]> = [];
  const sections: Array<[string, unknown[]]> = [];
  flatten(data, '', pairs, sections);
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  const out: string[] = pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  for (const [k, rows] of sections) {
    if (out.length) out.push('');
    out.push(`${k}:`, table(rows.filter(isRecord)));
  }
  return out.join('\n');
}
