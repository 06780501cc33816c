// Set-up shared by the score-durability fault tests: 8 players in 4 rooms over 2 workers, all
// steering to coins, with the highest score each one was shown recorded from its states.
import { expect } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { logLines, until, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

export interface ScoringPlayers {
  players: ShoalClient[];
  nameOf: Map<ShoalClient, string>;
  /** Players whose room runs on worker 0 (the one the tests kill) and on worker 1. */
  victims: ShoalClient[];
  others: ShoalClient[];
  /** Highest score each player (by id) was shown. */
  shown: Map<string, number>;
  /** Set stopped to end the scoring loops; `scoring` settles when they have. */
  stop: { stopped: boolean };
  scoring: Promise<number>[];
}

export async function scoringPlayers(server: TestServer): Promise<ScoringPlayers> {
  const players: ShoalClient[] = [];
  const nameOf = new Map<ShoalClient, string>();
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 2; i++) {
      const c = server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `jd${r}-${i}`, room: `jd-${r}`, backoffMinMs: 50, backoffMaxMs: 500, joinTimeoutMs: 3000 });
      await c.connect();
      players.push(c);
      nameOf.set(c, `jd${r}-${i}`);
    }
  }
  const rooms: Array<{ id: string; worker: number }> = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  const slotOf = new Map(rooms.map((r) => [r.id, r.worker]));
  const victims = players.filter((c) => slotOf.get(c.room!) === 0);
  const others = players.filter((c) => slotOf.get(c.room!) === 1);
  expect(victims.length).toBeGreaterThan(0);
  expect(others.length).toBeGreaterThan(0);
  const shown = new Map<string, number>();
  for (const c of players) c.on('state', () => shown.set(c.id, Math.max(shown.get(c.id) ?? 0, c.me?.score ?? 0)));
  const stop = { stopped: false };
  const scoring = players.map((c) => collect(c, 1_000_000, 60_000, stop).catch(() => 0));
  return { players, nameOf, victims, others, shown, stop, scoring };
}

/**
 * After the killed worker's players were told to stop scoring: every one of them resumes, and every
 * player keeps at least the score it was shown — in its own state after the resume, and on the
 * leaderboard (others' scores reach the new coordinator when their worker reconnects). Players of
 * the other worker never reconnect.
 */
export async function expectResumedWithNothingLost(server: TestServer, sp: ScoringPlayers, shownAtKill: Map<string, number>): Promise<void> {
  const { players, victims, others, nameOf, shown } = sp;
  try {
    await until(() => victims.every((c) => c.status === 'joined' && c.reconnects > 0), 30_000, 'every player of the killed worker resumed');
  } catch (err) {
    console.error(victims.map((c) => ({ id: c.id, status: c.status, end: c.endReason, reconnects: c.reconnects })));
    console.error(logLines(server).filter((l) => (l.level as number) >= 40).slice(-30));
    throw err;
  }
  await Promise.all(sp.scoring);
  for (const c of victims) await c.fullState(10_000);
  const lostNow = async (): Promise<string[]> => {
    const lb = (await (await fetch(`http://127.0.0.1:${server.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
    const lost: string[] = [];
    for (const c of players) {
      const saw = c.reconnects > 0 ? shownAtKill.get(c.id)! : shown.get(c.id)!;
      const now = c.me?.score ?? 0;
      const board = lb.find((e) => e.name === nameOf.get(c))?.score ?? 0;
      if (now < saw || board < saw) lost.push(`${c.id} shown ${saw}, now ${now}, leaderboard ${board}`);
    }
    return lost;
  };
  await until(async () => (await lostNow()).length === 0, 10_000, 'every shown score saved').catch(() => {});
  expect(await lostNow()).toEqual([]);
  for (const c of others) expect(c.reconnects).toBe(0);
}
