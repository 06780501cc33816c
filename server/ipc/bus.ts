// The boundary between hosts (--store redis): the messages every host's coordinator publishes on
// the one pub/sub channel `shoal:bus`, declared once for the sender and the receiver, and the
// console commands a host asks the others to run, with what each host answers. A host carries
// world chat (batched per event-loop turn) and the operator's kick, ban and unban; `say` is a
// world chat line marked as the operator's.
import type { ChatOutMsg } from '../../shared/protocol/messages.js';
import type { BanEntry, KickResult } from './admin-types.js';

/** Console commands a host runs for another: name -> [arguments, this host's result]. */
export type HostCommands = {
  /** The host running that player kicks it (bye `kicked`); the others answer found: false. */
  kick: [{ id: string }, KickResult];
  /** Every host keeps the ban (kv `bans`) and disconnects its players from that address. */
  ban: [{ entry: BanEntry }, { kicked: string[]; closed: number }];
  /** Every host lifts the ban. */
  unban: [{ address: string }, { unbanned: boolean }];
};
export type HostCommandName = keyof HostCommands;
export type HostCommand = { [K in HostCommandName]: { k: K; args: HostCommands[K][0] } }[HostCommandName];

/** What one host answered a command. */
export type HostAnswer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/** A command's outcome over the cluster: every other host's answer, typed by the command. */
export interface HostReplies<R> {
  /** Hosts that heard the command (subscribers of the bus other than this host). */
  asked: number;
  replies: Array<{ host: string; ok: true; data: R } | { host: string; ok: false; error: { code: string; message: string } }>;
}

/** A world chat line as it crosses hosts (the wire `chat` message without its `t`). */
export type BusChatLine = Omit<ChatOutMsg, 't'>;

/** Everything published on `shoal:bus`. `from` is the sender's host id; a host ignores its own. */
export type BusMessage =
  | { t: 'chat'; from: string; lines: BusChatLine[] }
  | { t: 'ask'; from: string; req: number; cmd: HostCommand }
  | { t: 'answer'; from: string; to: string; req: number; answer: HostAnswer };

/** A host as its heartbeat (`shoal:host:<id>`, JSON) tells the others. */
export interface HostBeat {
  id: string;
  /** HOST:PORT the other hosts send this host's players to (--advertise). */
  advertise: string;
  players: number;
  rooms: number;
  /** Epoch ms the heartbeat was written. */
  at: number;
  /** Epoch ms this host's coordinator started. */
  started: number;
}

/** A `hosts` row: a live host and the age of its heartbeat. */
export interface HostRow extends HostBeat {
  ageMs: number;
  /** The host answering. */
  self: boolean;
}

/** The cluster as one host sees it (`hosts`, `status`). */
export interface ClusterView {
  store: 'file' | 'redis';
  self: string;
  hosts: HostRow[];
}
