// Seats promised at routing to connections on their way to a room matchmaking picked, so the
// next unnamed player is not sent to the same last seat. A promise lapses by itself; nothing here
// is durable.
export class Reservations {
  /** room -> expiry times of its promised seats, oldest first */
  private readonly byRoom = new Map<string, number[]>();

  /** How many promised seats of `room` are still live at `now` (drops the lapsed ones). */
  count(room: string, now: number): number {
    const list = this.byRoom.get(room);
    if (!list) return 0;
    // Expiry times are pushed in order, so the expired ones are at the front.
    let i = 0;
    while (i < list.length && list[i]! <= now) i++;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) this.byRoom.delete(room);
    return list.length;
  }

  reserve(room: string, until: number): void {
    const list = this.byRoom.get(room);
    if (list) list.push(until);
    else this.byRoom.set(room, [until]);
  }

  /** A connection took its promised seat: one promise fewer. */
  release(room: string): void {
    const list = this.byRoom.get(room);
    if (!list) return;
    list.shift();
    if (list.length === 0) this.byRoom.delete(room);
  }
}
