// gate/ decides where a player's hello goes when many hosts share one world (--store redis): it
// uses the directory (this host's rooms and sessions) and cluster/ (ownership, the open index), so it
// lives above both; cluster/ itself holds only what speaks to Redis.
// Where a player's hello goes when many hosts share one world (--store redis). The coordinator's
// `join` passes through here before the directory's own (synchronous) join: a room runs on one
// host only (cluster/ownership.ts), so a hello for a room another live host runs is answered
// `{ elsewhere: its advertised address }` (the worker sends REDIRECT), a room whose host died is
// claimed and adopted here (cluster/adopt.ts, failover/redis-adopter.ts), and a room nobody runs is claimed before it is made, so two
// hosts making one room name end with one room (the loser redirects to the winner).
//   - hello naming a room: as above, then the local join.
//   - resume: the token's session may be another host's (RemoteSessions); its room as above.
//   - quick-join: a local room of the game with a free seat, else another live host's (the open
//     index, cluster/open-index.ts), else a new local room, claimed right after it is made.
// A room held here (Claims) is joined without a round trip to Redis.
import type { Logger } from 'pino';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { Directory } from '../directory/directory.js';
import type { JoinArgs, JoinResult } from '../../ipc/coordinator-ops.js';
import { GAME_OF_OLD_ROOMS } from '../store/types.js';
import type { Adopter } from '../cluster/adopt.js';
import type { Claims } from '../cluster/claims.js';
import type { ClaimResult } from '../cluster/ownership.js';
import type { OpenIndex } from '../cluster/open-index.js';
import type { RemoteSessions } from './remote-sessions.js';

type Elsewhere = { elsewhere: string };

export interface GateParts {
  dir: Directory;
  claims: Claims;
  index: OpenIndex;
  sessions: RemoteSessions;
  adopter: Adopter;
  /** The advertised address of a live host, from its heartbeat (cluster/host-address.ts). */
  advertiseOf: (host: string) => Promise<string | undefined>;
  log: Logger;
}

export class Gate {
  /** Rooms being adopted here now (claimed from a dead host), so a second player of one waits for it. */
  private readonly adopting = new Map<string, Promise<void>>();

  constructor(private readonly p: GateParts) {}

  /** The coordinator's join with --store redis: here (the directory's join), or the host to send the player to. */
  async join(a: JoinArgs): Promise<JoinResult> {
    try {
      if (a.token !== undefined) return await this.resume(a, a.token);
      if (a.room !== undefined) return await this.named(a, a.room);
      return await this.quick(a);
    } catch (err) {
      if (err instanceof CodedError) throw err;
      // Redis away (or answering too slowly): joins that need it are refused, rooms play on.
      this.p.log.warn({ err: (err as Error).message }, 'join refused: redis unavailable');
      throw new CodedError('UNAVAILABLE', 'the shared world is unavailable; try again');
    }
  }

  /** A hello naming a room: it runs here (made here if no host runs it), or on the host named. */
  private async named(a: JoinArgs, room: string): Promise<JoinResult> {
    const at = await this.take(room);
    return at === 'here' ? this.local(a, room) : at;
  }

  /** A resume: the session's room, wherever its session is kept. A token no host knows gets BAD_TOKEN from the local join. */
  private async resume(a: JoinArgs, token: string): Promise<JoinResult> {
    let room = this.p.dir.sessions.byToken(token)?.room;
    if (room === undefined) room = (await this.p.sessions.byToken(token))?.room;
    if (room === undefined) return this.p.dir.join(a);
    const at = await this.take(room);
    return at === 'here' ? this.local(a, room) : at;
  }

  /** A quick-join: a local free seat, else a remote one, else a new local room. */
  private async quick(a: JoinArgs): Promise<JoinResult> {
    const { dir, index } = this.p;
    if (!dir.placement.hasQuickSeat(a.game ?? GAME_OF_OLD_ROOMS, Date.now(), a.hint)) {
      const remote = await index.pickRemote(a.game ?? GAME_OF_OLD_ROOMS);
      if (remote) {
        // The seat promised at routing (a room made up here) is not taken after all.
        if (a.hint !== undefined) dir.placement.releaseReservation(a.hint);
        return { elsewhere: remote.advertise };
      }
    }
    for (let attempt = 0; ; attempt++) {
      const r = dir.join(a);
      if (!('session' in r) || this.p.claims.has(r.room.id)) return r;
      // A room made just now (or run here since before this coordinator started): claimed so
      // other hosts find it. Its id is made up here, so another host holding it is a collision.
      let c: ClaimResult;
      try {
        c = await this.p.claims.claim(r.room.id);
      } catch (err) {
        // Redis did not answer: the player is not seated after all (its worker hears an error).
        dir.leave(r.session.id);
        throw err;
      }
      if (c.at === 'here') return r;
      dir.leave(r.session.id);
      if (attempt > 0 || dir.placement.room(r.room.id)) {
        throw new CodedError('UNAVAILABLE', `room ${r.room.id} is run by another host; try again`);
      }
      // The room went with this player: a new one gets another id.
      a = { ...a, hint: undefined };
    }
  }

  /**
   * Makes sure `room` runs here, or says which host runs it: held here already; else located,
   * and claimed when no live host runs it. A dead host's room is adopted (its records and
   * snapshot brought here) before anyone joins it; a room nobody ran is made by the local join.
   */
  private async take(room: string): Promise<'here' | Elsewhere> {
    const { claims } = this.p;
    // Another player of this room is having it adopted here: joined once that is done (or,
    // if it failed, tried afresh).
    await this.adopting.get(room)?.catch(() => {});
    if (claims.has(room)) return this.settled(room);
    const place = await claims.locate(room);
    if (place.at === 'here') return this.settled(room);
    if (place.at === 'elsewhere') return this.elsewhere(place.host, room);
    const c = await claims.claim(room);
    if (c.at === 'elsewhere') return this.elsewhere(c.host, room);
    // Claimed by another join of this host while this one waited on Redis: it adopts.
    const started = this.adopting.get(room);
    if (started) {
      await started;
      return 'here';
    }
    // Already this host's (another join of it claimed it a moment ago): that join adopts, if any.
    if (c.from === undefined) return this.settled(room);
    if (!this.p.dir.placement.room(room)) {
      const adoption = this.p.adopter.adopt(room, c.from, c.epoch);
      this.adopting.set(room, adoption);
      try {
        await adoption;
      } catch (err) {
        // Not adopted: the claim goes, so a later try (here or at another host) starts over.
        claims.release(room);
        throw err;
      } finally {
        this.adopting.delete(room);
      }
    }
    return 'here';
  }

  /**
   * (failover lane, for the gate lane to review) `room` is held here but the directory does not
   * have it yet: another join of it may have claimed it a moment ago and not yet asked for its
   * adoption (replies that arrive together from Redis resume their joins in one turn, so this one
   * can run in between); after this turn that adoption is registered, and awaited. Without this,
   * such a join went on to the local join and got BAD_TOKEN (the failover test saw 2-19 of 200).
   */
  private async settled(room: string): Promise<'here'> {
    if (this.p.dir.placement.room(room)) return 'here';
    await new Promise<void>((r) => setImmediate(r));
    await this.adopting.get(room)?.catch(() => {});
    return 'here';
  }

  /** Where to send a player of `room`, run by live host `host`. */
  private async elsewhere(host: string, room: string): Promise<Elsewhere> {
    const to = await this.p.advertiseOf(host);
    // Its heartbeat lapsed between the two reads: the room is about to be anyone's to claim.
    if (to === undefined) throw new CodedError('UNAVAILABLE', `room ${room} is moving between hosts; try again`);
    return { elsewhere: to };
  }

  /** The directory's join, for a room this host holds; a room claimed for it that the join did not make is given up. */
  private local(a: JoinArgs, room: string): JoinResult {
    try {
      return this.p.dir.join(a);
    } finally {
      if (!this.p.dir.placement.room(room)) this.p.claims.release(room);
    }
  }
}
