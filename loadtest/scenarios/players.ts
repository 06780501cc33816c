// `players`: client-sim players (mixed TCP and WebSocket, rooms of 16, 10 inputs a second, a ping a
// second, chat, leaves and drops) at rising counts; the largest count that holds.
import os from 'node:os';
import { ladder, largestHolding } from '../players-ladder.js';
import { ratio } from '../result.js';
import type { ScenarioBody } from '../scenario.js';

export const playersScenario: ScenarioBody = async (ctx) => {
  const cores = os.availableParallelism();
  const counts = ctx.quick ? [100, 300] : [250, 500, 1000, 2000, 3000, 4000, 5000, 6000];
  const seconds = ctx.quick ? 3 : 15;
  const steps = await ladder(ctx, cores, counts, ctx.quick ? 300 : 2000, seconds);
  return {
    ratios: [ratio('playing players with >= 99.5% states delivered and RTT p99 < 50 ms', largestHolding(steps), { op: '>=', value: 2000 })],
    rows: steps.map((s) => ({ ...s })),
    chart: {
      title: 'players: ping RTT against players', xLabel: 'players', yLabel: 'ms',
      series: [
        { name: 'RTT p50', points: steps.map((s) => [s.players, s.rttP50]) },
        { name: 'RTT p99', points: steps.map((s) => [s.players, s.rttP99]) },
        { name: 'state gap p99', points: steps.map((s) => [s.players, s.stateGapP99]) },
      ],
    },
    notes: [
      `Shoal with ${cores} workers, a fresh server per step; client-sim with ${cores} processes on the same machine.`,
      `Each step: ramp at 1000 joins/s, 1 s warm-up, ${seconds} s measured. Counts past 2000 run only while the previous one held.`,
      'Holds = states delivered >= 99.5% of expected at the tick rate, ping RTT p99 < 50 ms, < 0.5% failed joins.',
    ],
  };
};
