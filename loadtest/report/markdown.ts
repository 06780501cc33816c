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
  // Objects as JSON (not "[object Object]"); arrays, strings and the rest as String() writes them.
  const s = typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : String(v as string | boolean | unknown[]);
  return s.replace(/\|/g, '\\|');
}
