// Reads a running server's /metrics: the text, and single samples by name and labels.
import type { TestServer } from './server.js';

export async function scrape(s: TestServer, timeoutMs = 5000): Promise<string> {
  const r = await fetch(`http://${s.host}:${s.port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.text();
}

/** For polling while a process is stopped on purpose: a scrape that hangs or fails reads as empty. */
export async function scrapeOrEmpty(s: TestServer): Promise<string> {
  return scrape(s, 3000).catch(() => '');
}

/** The value of the sample written exactly `series` (e.g. `shoal_players` or `x{process="primary"}`), or undefined. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Metric family names the exposition declares (`# TYPE name kind`). */
export function familyNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    // A histogram's series are name_bucket, name_sum and name_count.
    if (m[2] === 'histogram' || m[2] === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}
