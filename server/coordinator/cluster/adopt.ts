// Taking over a room whose host died (--store redis): the join path (gate/gate.ts), once this
// host has claimed the room (ownership.ts), has it adopted — its records, last snapshot and
// seated sessions read from Redis into this host's directory — before anyone joins it. This file
// is the interface and the process's one adopter; the Redis one is failover/redis-adopter.ts
// (kept out of cluster/, which the store imports, because it reads into the directory).
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface Adopter {
  /** Brings room `room` (claimed at `epoch`, taken from host `from`) into this host's directory. */
  adopt(room: string, from: string, epoch: number): Promise<void>;
}

const refusing: Adopter = {
  adopt(room: string): Promise<void> {
    return Promise.reject(new CodedError('UNAVAILABLE', `room ${room} is being moved between hosts; try again`));
  },
};
let installed: Adopter = refusing;

/**
 * This process's adopter, as the join path (gate.ts) is given it: it calls the one
 * start/failover.ts installs once Redis is up; before that a claimed orphan is refused
 * (UNAVAILABLE: the player tries again). The name is the placeholder's, kept so the gate lane's
 * start step needs no change.
 */
export const notYetAdopting: Adopter = {
  adopt: (room, from, epoch) => installed.adopt(room, from, epoch),
};

/** Makes `a` the process's adopter (start/failover.ts, with --store redis). */
export function installAdopter(a: Adopter): void {
  installed = a;
}
