// The side-by-side table of players-vs-colyseus: each player count gets a median row and one row
// per round with Shoal's columns beside Colyseus's, and Shoal's server cores over Colyseus's are
// paired within a round (both runs saw about the same background load) before the median.
import { describe, expect, it } from 'vitest';
import { sideBySideRows, vsRatios, type Contender, type VsRun } from '../../loadtest/lean/vs-peer.js';

function run(server: Contender, round: number, players: number, serverCores: number, delivered: number, load: number): VsRun {
  return {
    server, round, players, loadAverage1m: load, joined: players, joinFailed: 0, closedDuringWindow: 0, seconds: 10, hz: 20,
    statesExpected: players * 200, statesReceived: Math.round(players * 200 * delivered), delivered,
    rttP50Ms: round * 2, rttP99Ms: round * 10, rttMaxMs: round * 20, pongs: players * 10,
    clientCores: 0.3, serverCores, serverCoresPer1000: (serverCores / players) * 1000, clientCpuMsPerPlayerSecond: 0.3,
    writesQueued: 0, errors: {},
  };
}

describe('players-vs-colyseus table', () => {
  const runs = [
    run('shoal', 1, 1000, 0.6, 1, 2), run('colyseus', 1, 1000, 0.4, 0.96, 2),
    run('colyseus', 2, 1000, 0.6, 0.94, 4), run('shoal', 2, 1000, 0.6, 0.98, 4),
  ];

  it('puts the medians first, then each round, Shoal beside Colyseus', () => {
    const rows = sideBySideRows(runs, [1000]);
    expect(rows.map((r) => r.round)).toEqual(['median', '1', '2']);
    expect(rows[0]).toMatchObject({
      players: 1000, 'Shoal delivered': 0.99, 'Colyseus delivered': 0.95, 'Shoal server cores': 0.6, 'Colyseus server cores': 0.5,
      'Shoal server cores /1000': 0.6, 'Colyseus server cores /1000': 0.5, 'Shoal RTT p99 ms': 15, 'load avg': 3,
    });
    expect(rows[1]).toMatchObject({ 'Shoal delivered': 1, 'Colyseus delivered': 0.96, 'Colyseus server cores': 0.4, 'load avg': 2 });
    expect(rows[2]).toMatchObject({ 'Shoal delivered': 0.98, 'Colyseus delivered': 0.94, 'Colyseus server cores': 0.6, 'load avg': 4 });
  });

  it('pairs Shoal and Colyseus within a round for their ratio', () => {
    const r = vsRatios(runs, [1000]);
    expect(r.map((q) => [q.figure, q.value])).toEqual([
      ['Shoal server cores per 1000 players at 1000', 0.6],
      ['Colyseus server cores per 1000 players at 1000', 0.5],
      // Round 1: 0.6 / 0.4 = 1.5; round 2: 0.6 / 0.6 = 1; median 1.25 (unpaired medians would give 1.2).
      ['Shoal / Colyseus server cores at 1000 (paired by round)', 1.25],
    ]);
  });
});
