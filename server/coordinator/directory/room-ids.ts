// How the directory names the rooms it makes up (matchmaking, no room named): one function, so
// the prefix can come from the game a room is for rather than be fixed here.
import crypto from 'node:crypto';

/** The prefix of made-up room ids when the caller names no game (workers and the primary always name one). */
export const DEFAULT_ROOM_PREFIX = 'room';

export class RoomIds {
  private seq = 0;

  /** A fresh id `<prefix>-<seq><random>` that `taken` says is not in use. */
  next(taken: (id: string) => boolean, prefix: string = DEFAULT_ROOM_PREFIX): string {
    let id: string;
    do id = `${prefix}-${(++this.seq).toString(36)}${crypto.randomBytes(2).toString('hex')}`;
    while (taken(id));
    return id;
  }
}
