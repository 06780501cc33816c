// The profile summary's inclusive shares: time inside a named function counts its callees, idle
// time is left out of "busy", and a sample counts once for a name even if the name recurs above it.
import { expect, it } from 'vitest';
import { summarizeProfile } from '../../loadtest/report/cpu-profile-summary.js';

const node = (id: number, functionName: string, children: number[] = [], url = '') =>
  ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });

it('gives each named function its share of busy time, callees included', () => {
  // root -> tick -> send -> writev ; root -> send (recursion below itself) ; root -> (idle)
  const p = {
    nodes: [
      node(1, '(root)', [2, 5, 7]),
      node(2, 'tick', [3], 'file:///x/dist/server/games/arena/arena.js'),
      node(3, 'send', [4], 'file:///x/dist/server/worker/net/tcp-conn.js'),
      node(4, 'writev'),
      node(5, 'send', [6], 'file:///x/dist/server/worker/net/tcp-conn.js'),
      node(6, 'send', [], 'file:///x/dist/server/worker/net/tcp-conn.js'),
      node(7, '(idle)'),
    ],
    // Each sample's time is the delta after it: writev 30, tick 10, inner send 20, idle 40.
    samples: [4, 2, 6, 7, 7],
    timeDeltas: [0, 30, 10, 20, 40, 0],
  };
  const text = summarizeProfile(p, 5, ['tick server/games/arena', 'send server/worker/net/tcp-conn', 'writev']);
  expect(text).toContain('busy 0.00 s');
  expect(text).toMatch(/ 66\.7% {2}tick server\/games\/arena/);
  expect(text).toMatch(/ 83\.3% {2}send server\/worker\/net\/tcp-conn/);
  expect(text).toMatch(/ 50\.0% {2}writev/);
});
