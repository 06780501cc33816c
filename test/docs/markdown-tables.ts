// Reads the pipe tables of a Markdown document, so the docs test compares what the docs say with
// what the code does row by row rather than by searching for substrings.

export interface Table {
  /** Header cells, lower-cased. */
  header: string[];
  rows: string[][];
  /** 1-based line of the header, for messages. */
  line: number;
}

function cells(line: string): string[] {
  // `\|` is a literal bar inside a cell (CONSOLE.md's `shutdown [SECONDS \| cancel]`).
  const parts = line.trim().replace(/^\|/, '').replace(/\|$/, '').replace(/\\\|/g, '\u0000').split('|');
  // eslint-disable-next-line no-control-regex -- NUL is the placeholder for an escaped pipe
  return parts.map((c) => c.replace(/\u0000/g, '|').trim());
}

export function tables(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const out: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]!)) continue;
    const t: Table = { header: cells(lines[i]!).map((h) => h.toLowerCase()), rows: [], line: i + 1 };
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) t.rows.push(cells(lines[j]!));
    out.push(t);
    i = j - 1;
  }
  return out;
}

/** Tables whose header is exactly these columns (lower-case). */
export function tablesWithHeader(markdown: string, header: string[]): Table[] {
  return tables(markdown).filter((t) => t.header.length === header.length && t.header.every((h, i) => h === header[i]));
}

/** The text of every `code span` in a cell. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
}

/** The one code span a cell holds, or the cell's bare text when it has none. */
export function plain(cell: string): string {
  const spans = codeSpans(cell);
  return spans.length === 1 && cell.trim() === `\`${spans[0]}\`` ? spans[0]! : cell.trim();
}
