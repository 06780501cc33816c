// A scenario's result as a Markdown page: the machine, the ratios against their targets, the rows.
import { describeMachine } from '../machine.js';
import type { ScenarioResult } from '../result.js';

export function markdown(r: ScenarioResult, chartFile?: string): string {
  const lines: string[] = [];
  lines.push(`# loadtest: ${r.scenario}${r.quick ? ' (quick)' : ''}`);
  lines.push('');
  lines.push(`- started: ${r.startedAt}, took ${r.durationSeconds.toFixed(0)} s`);
  lines.push(`- machine: ${describeMachine(r.machine)} (client and server share it)`);
  lines.push(`- command: \`${r.command}\``);
  lines.push('');
  if (r.ratios.length) {
    lines.push('| figure | value | target | met |', '| --- | ---: | --- | --- |');
    for (const q of r.ratios) {
      const target = q.target ? `${q.target.op} ${q.target.value}` : '';
      const met = q.met === true ? 'yes' : q.met === false ? '**no**' : '';
      lines.push(`| ${q.figure} | ${q.value ?? 'n/a'} | ${target} | ${met} |`);
    }
    lines.push('');
  }
  if (r.rows.length) {
    const cols = [...new Set(r.rows.flatMap((row) => Object.keys(row)))];
    lines.push(`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`);
    for (const row of r.rows) lines.push(`| ${cols.map((c) => cell(row[c])).join(' | ')} |`);
    lines.push('');
  }
  if (chartFile) lines.push(`![${r.chart?.title ?? r.scenario}](${chartFile})`, '');
  for (const n of r.notes) lines.push(`- ${n}`);
  return lines.join('\n') + '\n';
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '');
  return text(v).replace(/\|/g, '\\|');
}

/** A value as a table shows it: arrays comma-separated (as String() does), objects as JSON. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (x === undefined || x === null ? '' : text(x))).join(',');
  return JSON.stringify(v) ?? '';
}
