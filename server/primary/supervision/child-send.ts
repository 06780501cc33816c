// The one way the primary sends to a child process. A child can die (or be SIGKILLed while the
// primary itself was paused) before the primary has seen its exit; a send to it then fails with
// EPIPE or ERR_IPC_CHANNEL_CLOSED, and Node reports that as an 'error' event on the child — which,
// unheard, ends the primary and every player with it. Here every send carries a callback, so no
// send can raise that event, and a failed send goes to the handler the supervisor registered for
// the child, which treats the child as dead (kills it; its exit restarts it).
import type { Worker } from 'node:cluster';
import type { ChildProcess, MessageOptions, SendHandle } from 'node:child_process';
import type { PrimaryToWorker } from '../../ipc/primary-worker.js';
import type { PrimaryToCoordinator } from '../../ipc/primary-coordinator.js';

type Child = Worker | ChildProcess;
type Lost = (err: Error) => void;

const lostHandlers = new WeakMap<ChildProcess, Lost>();

function processOf(child: Child): ChildProcess {
  return 'process' in child ? child.process : child;
}

/**
 * Called by the supervisor for every child it forks, before anything is sent to it: errors on the
 * child (its IPC channel broken, a failed kill) and failed sends all reach `lost`.
 */
export function watchChild(child: Child, lost: Lost): void {
  lostHandlers.set(processOf(child), lost);
  // A cluster Worker re-emits its process's 'error' on itself; the listener goes where it lands.
  child.on('error', lost);
}

const KEEP_OPEN_FALSE: MessageOptions = { keepOpen: false };

/**
 * Sends `msg` (and a socket handle) to a child. `done` hears the outcome; a failure also reaches
 * the child's lost handler. Never throws and never lets Node emit 'error' for the send.
 */
export function sendToChild(child: Child, msg: PrimaryToWorker | PrimaryToCoordinator, handle?: SendHandle, done?: (err: Error | null) => void): void {
  const proc = processOf(child);
  const after = (err: Error | null) => {
    if (err) lostHandlers.get(proc)?.(err);
    done?.(err);
  };
  try {
    proc.send(msg, handle, KEEP_OPEN_FALSE, after);
  } catch (err) {
    // Thrown only for a message that cannot be serialised: our bug, not the child's death.
    done?.(err as Error);
  }
}
