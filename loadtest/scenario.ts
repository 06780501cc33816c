// What every scenario gets, and what it must give back.
import type { ScenarioResult } from './result.js';

export interface ScenarioContext {
  quick: boolean;
  /** --minutes, for the scenarios that run for a set time (soak); absent: their default. */
  minutes?: number;
  /** Prints a progress line (stderr). */
  log(line: string): void;
}

export type ScenarioBody = (ctx: ScenarioContext) => Promise<Omit<ScenarioResult, 'scenario' | 'quick' | 'startedAt' | 'durationSeconds' | 'machine' | 'command'>>;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
