// Writes a scenario's result: <date>-<scenario>.json, .md and .svg in the results directory.
import fs from 'node:fs';
import path from 'node:path';
import type { ScenarioResult } from '../result.js';
import { markdown } from './markdown.js';
import { svgChart } from './svg-chart.js';

export interface Written {
  json: string;
  markdown: string;
  svg?: string;
}

export function writeResult(dir: string, r: ScenarioResult): Written {
  fs.mkdirSync(dir, { recursive: true });
  const base = `${r.startedAt.slice(0, 10)}-${r.scenario}${r.quick ? '-quick' : ''}`;
  const out: Written = { json: path.join(dir, `${base}.json`), markdown: path.join(dir, `${base}.md`) };
  fs.writeFileSync(out.json, JSON.stringify(r, null, 2) + '\n');
  if (r.chart) {
    out.svg = path.join(dir, `${base}.svg`);
    fs.writeFileSync(out.svg, svgChart(r.chart));
  }
  fs.writeFileSync(out.markdown, markdown(r, out.svg ? path.basename(out.svg) : undefined));
  return out;
}
