// Taking over a room whose host died (--store redis): once this host has claimed it
// (ownership.ts), its records — the room, its last snapshot, the sessions seated in it — are read
// from Redis into this host's directory, so the player resuming here gets the room back from its
// snapshot with its score. The failover lane builds it; until then a claimed orphan is refused.
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface Adopter {
  /** Brings room `room` (claimed at `epoch`, taken from host `from`) into this host's directory. */
  adopt(room: string, from: string, epoch: number): Promise<void>;
}

export const notYetAdopting: Adopter = {
  adopt(room: string): Promise<void> {
    return Promise.reject(new CodedError('UNAVAILABLE', `room ${room} is being moved between hosts; try again`));
  },
};
