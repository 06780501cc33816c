// `scaling`: the players ladder with 1 worker and with 2, in the same run; the efficiency ratio
// is the largest holding count with 2 workers over the one with 1.
import { ladder, largestHolding } from '../players-ladder.js';
import { ratio } from '../result.js';
import type { ScenarioBody } from '../scenario.js';

export const scalingScenario: ScenarioBody = async (ctx) => {
  const counts = ctx.quick ? [200] : [250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000];
  const seconds = ctx.quick ? 3 : 12;
  const one = await ladder(ctx, 1, counts, counts[0]!, seconds);
  const two = await ladder(ctx, 2, counts, counts[0]!, seconds);
  const m1 = largestHolding(one);
  const m2 = largestHolding(two);
  return {
    ratios: [
      ratio('largest holding players, 1 worker', m1),
      ratio('largest holding players, 2 workers', m2),
      ratio('2 workers ÷ 1 worker (largest holding players)', m1 > 0 ? m2 / m1 : null, { op: '>=', value: 1.0 }),
      // When neither holds anywhere, the first step still compares the two under the same load.
      ratio(`states delivered at ${counts[0]} players: 2 workers ÷ 1 worker`, one[0] && two[0] ? two[0].delivered / one[0].delivered : null),
      ratio(`ping RTT p99 at ${counts[0]} players: 1 worker ÷ 2 workers`, one[0] && two[0] && two[0].rttP99 > 0 ? one[0].rttP99 / two[0].rttP99 : null),
    ],
    rows: [...one, ...two].map((s) => ({ ...s })),
    chart: {
      title: 'scaling: ping RTT p99 against players, 1 and 2 workers', xLabel: 'players', yLabel: 'RTT p99 ms',
      series: [
        { name: '1 worker', points: one.map((s) => [s.players, s.rttP99]) },
        { name: '2 workers', points: two.map((s) => [s.players, s.rttP99]) },
      ],
    },
    notes: [
      `Same ladder and criterion as \`players\`, ${seconds} s measured per step; each ladder stops at its first failure.`,
      'The client shares the machine: with 2 workers the server competes with client-sim for both cores.',
    ],
  };
};
