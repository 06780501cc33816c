// Stand-ins for the edges of the worker's room and session code in unit tests: a connection that
// collects the bytes written to it (the real transports are tested over sockets elsewhere), a
// room that records what its host asks of it, and a default configuration.
import { decode } from '../../../shared/protocol/codec.js';
import { unframe } from '../../../shared/protocol/framing.js';
import type { ServerMessage } from '../../../shared/protocol/messages.js';
import { loadConfig } from '../../../server/config/load.js';
import type { Config } from '../../../server/config/schema.js';
import type { HostedGame, Room, SeatInfo, TaskPool } from '../../../server/game-api/index.js';
import { Conn } from '../../../server/worker/net/conn.js';
import type { RoomWorld } from '../../../server/worker/world/world-room.js';

export class FakeConn extends Conn {
  readonly transport = 'tcp' as const;
  /** Every buffer written, as given (a broadcast's is the same object for every connection). */
  readonly frames: Buffer[] = [];

  constructor(address = '127.0.0.1') {
    super(address);
  }

  sendFramed(framed: Buffer): void {
    this.frames.push(framed);
  }

  protected end(): void {
    this.closedNow();
  }

  destroy(): void {
    this.closedNow();
  }

  /** The messages written, decoded. */
  messages(): ServerMessage[] {
    return this.frames.map((f) => decode(unframe(f)) as ServerMessage);
  }

  /** The last message written of type t. */
  last<T extends ServerMessage['t']>(t: T): Extract<ServerMessage, { t: T }> | undefined {
    return this.messages().filter((m) => m.t === t).pop() as Extract<ServerMessage, { t: T }> | undefined;
  }
}

/** A room that plays nothing and records every call its host makes. */
export class RecordingRoom implements Room {
  readonly calls: string[] = [];
  readonly seated = new Map<string, SeatInfo>();
  readonly messages: Array<[string, unknown]> = [];

  get size(): number {
    return this.seated.size;
  }

  join(seat: SeatInfo): void {
    this.calls.push(`join ${seat.id}`);
    this.seated.set(seat.id, seat);
  }

  leave(id: string): void {
    this.calls.push(`leave ${id}`);
    this.seated.delete(id);
  }

  setFrozen(id: string, frozen: boolean): void {
    this.calls.push(`${frozen ? 'freeze' : 'thaw'} ${id}`);
  }

  message(id: string, msg: unknown): void {
    this.messages.push([id, msg]);
  }

  tick(_tick: number): void {}

  snapshot(): unknown {
    return {};
  }
}

/** A HostedGame whose rooms are RecordingRooms (the last one made is `room`). */
export function recordingGame(field = { w: 7, h: 9 }): HostedGame & { room: RecordingRoom | null } {
  const g = {
    name: 'test',
    version: 1,
    field,
    hz: 20,
    seats: 16,
    capacity: 16,
    messages: {},
    errors: {},
    room: null as RecordingRoom | null,
    create: () => (g.room = new RecordingRoom()),
    migrate: (s: unknown) => s,
  };
  return g;
}

/** The worker's thread pool, which these tests never reach. */
export const noPool: TaskPool = { run: () => Promise.reject(new Error('no pool in this test')) };

/** The room's world handle: RoomHost only gives it back (close) when the room ends. */
export function fakeRoomWorld(): RoomWorld & { closes: number } {
  const w = { closes: 0, close: () => void w.closes++ };
  return w as unknown as RoomWorld & { closes: number };
}

/** The defaults every server starts with, changed by `over`. */
export function testConfig(over: Partial<Config> = {}): Config {
  return { ...loadConfig([], {}).config, ...over };
}
