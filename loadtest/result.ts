// The shape of a scenario's result, as written to loadtest/results/<date>-<scenario>.json.
import type { Machine } from './machine.js';

export interface Ratio {
  figure: string;
  value: number | null;
  /** The target from issue 5, e.g. ">= 0.7"; absent for figures reported without one. */
  target?: { op: '>=' | '<='; value: number };
  /** Whether the target is met; null when there is no target or no value. */
  met?: boolean | null;
}

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Categorical x labels (bar-like line chart), indexed by x. */
  xTicks?: string[];
}

export interface ScenarioResult {
  scenario: string;
  quick: boolean;
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  /** The command that reproduces the run. */
  command: string;
  /** Headline figures: ratios and targets. */
  ratios: Ratio[];
  /** The raw rows behind the ratios (one per measurement). */
  rows: Array<Record<string, string | number | boolean | null>>;
  chart?: Chart;
  notes: string[];
}

export function ratio(figure: string, value: number | null, target?: Ratio['target']): Ratio {
  const v = value === null || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000;
  const met = !target || v === null ? null : target.op === '>=' ? v >= target.value : v <= target.value;
  return target ? { figure, value: v, target, met } : { figure, value: v };
}

/**
 * The median over rounds of a ratio measured within each round. On a machine shared with other
 * work, a round's two measurements see about the same background load; medians of the two
 * series taken apart can pair a quiet moment with a busy one.
 */
export function pairedRatio(num: number[], den: number[]): number {
  const n = Math.min(num.length, den.length);
  const rs: number[] = [];
  for (let i = 0; i < n; i++) if (den[i]! > 0) rs.push(num[i]! / den[i]!);
  return median(rs);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
