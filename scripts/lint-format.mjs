// The output of `npm run lint`: one line per finding as `file:line:col  rule  message` (a terminal
// or editor opens the place from it), then a count per rule with the number of files, biggest
// first, so a long run says at a glance which rule to fix (or to configure) first.
/** @param {import('eslint').ESLint.LintResult[]} results */
export default function format(results) {
  const lines = [];
  /** @type {Map<string, { n: number; files: Set<string> }>} */
  const byRule = new Map();
  let total = 0;
  for (const r of results) {
    const file = r.filePath.startsWith(process.cwd() + '/') ? r.filePath.slice(process.cwd().length + 1) : r.filePath;
    for (const m of r.messages) {
      const rule = m.ruleId ?? (m.fatal ? 'parse-error' : 'eslint');
      const kind = m.severity === 2 ? '' : ' (warning)';
      lines.push(`${file}:${m.line ?? 0}:${m.column ?? 0}  ${rule}${kind}  ${m.message.replace(/\s+/g, ' ')}`);
      const e = byRule.get(rule) ?? { n: 0, files: new Set() };
      e.n++;
      e.files.add(file);
      byRule.set(rule, e);
      total++;
    }
  }
  if (total === 0) return '';
  lines.push('', 'By rule (findings, files):');
  for (const [rule, e] of [...byRule].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))) {
    lines.push(`  ${String(e.n).padStart(5)} ${String(e.files.size).padStart(4)}  ${rule}`);
  }
  const files = new Set(results.filter((r) => r.messages.length > 0).map((r) => r.filePath)).size;
  lines.push(`${total} finding(s) in ${files} file(s). Fixable ones: npx eslint --fix FILE; a rule's reason: eslint.config.js.`);
  return lines.join('\n') + '\n';
}
