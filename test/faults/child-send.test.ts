// The primary's one way of sending to a child, against a real child process that has died before
// the parent's event loop could see its exit (where Node's own send raises an 'error' event: the
// primary's crash when nobody listens, shown end to end by pause.test.ts): sendToChild reports the
// failure to its callback and to the child's lost handler, and raises nothing.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { sendToChild, watchChild } from '../../server/primary/supervision/child-send.js';

/** A child with an IPC channel that has exited by the time this returns (the parent saw nothing yet). */
async function deadChild(): Promise<ChildProcess> {
  const child = fork('-e', ['process.send("up"); process.exit(0)'], { execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  // Block this thread while the child exits, so its exit and closed channel are not yet read.
  const until = Date.now() + 1000;
  while (Date.now() < until && isAlive(child.pid!)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  expect(isAlive(child.pid!)).toBe(false);
  expect(child.connected).toBe(true);
  return child;
}

/** sendToChild's outcome, or 'no answer' when its callback is never called. */
function send(child: ChildProcess): Promise<Error | null | 'no answer'> {
  return Promise.race([
    new Promise<Error | null>((r) => sendToChild(child, { t: 'alive?' }, undefined, r)),
    new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), 5000)),
  ]);
}

function isAlive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped by the parent) still answers signal 0; its state says it is dead.
    process.kill(pid, 0);
    return !/\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

it('reports a send to a child that died unseen to the callback and the lost handler, and raises nothing', async () => {
  const child = await deadChild();
  const lost: Error[] = [];
  watchChild(child, (e) => lost.push(e));
  // Any 'error' event beyond the one watchChild listens with would show up here.
  let stray = 0;
  const count = () => stray++;
  child.on('error', count);
  const done = await send(child);
  expect(done).toBeInstanceOf(Error);
  expect(lost).toHaveLength(1);
  expect(lost[0]).toBe(done);
  // A second send after the channel is known closed fails the same quiet way.
  const again = await send(child);
  expect(again).toBeInstanceOf(Error);
  expect(lost).toHaveLength(2);
  expect(stray).toBe(0);
  child.off('error', count);
});
