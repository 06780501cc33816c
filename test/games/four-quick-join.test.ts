// Quick-join and the computer, whole cluster: a player playing the computer has both seats of its
// room taken though it is the room's only member, so its room is closed to quick-join
// (RoomContext.setOpen): the next four player who names no room gets a new room and waits there
// (not the first room as a spectator), and the one after is paired with it. The room stays closed
// when its worker is SIGKILLed and the room comes back elsewhere from its snapshot, and when the
// coordinator is SIGKILLed and restarts. Players come over TCP (the primary's route matchmakes)
// and over WebSocket (the worker's join matchmakes: the primary does not read a WS hello).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FourWatch } from '../helpers/four-watch.js';
import { coordinatorPid, logLines, startServer, until, workerPid, type TestServer } from '../helpers/server.js';

let server: TestServer;
const watches: FourWatch[] = [];
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--four-bot-delay-ms', '50'] });
});
afterAll(async () => {
  for (const w of watches) w.client.close();
  await server?.stop();
});

/** A four player who names no room (quick-join), once it has the game. */
async function quick(name: string, transport: 'tcp' | 'ws'): Promise<FourWatch> {
  const c = server.client({ transport, name, game: 'four', backoffMinMs: 50, backoffMaxMs: 500 });
  const w = new FourWatch(c);
  watches.push(w);
  expect((await c.connect()).game).toBe('four');
  await w.until(() => true, `${name}: first four message`);
  return w;
}

/** A newcomer who must be seated alone in a room of its own, waiting (not watching someone's game). */
function expectWaitingAlone(w: FourWatch, notIn: string): void {
  expect(w.client.room).not.toBe(notIn);
  expect(w.seat).toBe(0);
  expect(w.last).toMatchObject({ status: 'waiting', seats: [[w.client.id, expect.any(String)], null], spectators: 0 });
}

/** Pairs the two: the second is seated opposite the first and their game starts. */
async function expectPaired(first: FourWatch, second: FourWatch): Promise<void> {
  expect(second.client.room).toBe(first.client.room);
  await first.until((s) => s.status === 'playing', 'paired');
  await second.until((s) => s.status === 'playing', 'paired');
  expect(second.seat).toBe(1);
}

async function roomsWorker(id: string): Promise<number> {
  const rooms = (await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Array<{ id: string; worker: number }>;
  return rooms.find((r) => r.id === id)!.worker;
}

describe('four in a row: quick-join beside a game against the computer', () => {
  let solo: FourWatch;
  let soloRoom: string;

  it('a player plays the computer; the next quick-join gets a new room, the one after is paired with it', async () => {
    solo = await quick('solo', 'tcp');
    soloRoom = solo.client.room;
    solo.client.send({ t: 'computer' });
    await solo.until((s) => s.status === 'playing' && s.seats[1]?.[0] === 'computer', 'the computer seated');
    const b = await quick('qb', 'tcp');
    expectWaitingAlone(b, soloRoom);
    const c = await quick('qc', 'tcp');
    await expectPaired(b, c);
    // The same over WebSocket, matchmade at the join.
    const d = await quick('qd', 'ws');
    expectWaitingAlone(d, soloRoom);
    expect(d.client.room).not.toBe(b.client.room);
    const e = await quick('qe', 'ws');
    await expectPaired(d, e);
    // The game against the computer went on undisturbed, with no spectator.
    expect(solo.last).toMatchObject({ status: 'playing', spectators: 0 });
  });

  it('the room stays closed when its worker is killed and it comes back from its snapshot', async () => {
    // Its only member is still the one playing the computer.
    expect(solo.last).toMatchObject({ status: 'playing', spectators: 0 });
    const slot = await roomsWorker(soloRoom);
    solo.last = null;
    process.kill(workerPid(server, slot), 'SIGKILL');
    await until(() => solo.client.reconnects > 0 && solo.client.status === 'joined' && solo.last, 30_000, 'solo resumed');
    expect(solo.client.room).toBe(soloRoom);
    expect(solo.last).toMatchObject({ status: 'playing', seats: [[solo.client.id, 'solo'], ['computer', 'computer']] });
    const f = await quick('qf', 'tcp');
    expectWaitingAlone(f, soloRoom);
    const g = await quick('qg', 'ws');
    await expectPaired(f, g);
  });

  it('a room closed since the last restart stays closed when the coordinator is killed and restarts', async () => {
    // A second game against the computer, in a room that never moved (the first one's record was
    // written again when it was adopted).
    const solo2 = await quick('solo2', 'tcp');
    expectWaitingAlone(solo2, soloRoom);
    solo2.client.send({ t: 'computer' });
    await solo2.until((s) => s.status === 'playing' && s.seats[1]?.[0] === 'computer', 'the computer seated');
    const restarts = logLines(server).filter((l) => l.msg === 'world loaded').length;
    process.kill(coordinatorPid(server), 'SIGKILL');
    await until(() => logLines(server).filter((l) => l.msg === 'world loaded').length > restarts, 20_000, 'coordinator restarted');
    const h = await quick('qh', 'tcp');
    expectWaitingAlone(h, soloRoom);
    expect(h.client.room).not.toBe(solo2.client.room);
    const i = await quick('qi', 'ws');
    await expectPaired(h, i);
    for (const w of [solo, solo2]) expect(w.last).toMatchObject({ status: 'playing', spectators: 0 });
  });
});
