// The hosts' message bus (--store redis): one pub/sub channel, `shoal:bus`, that every host's
// coordinator publishes on and subscribes to (on its own connection: a subscribed connection can
// do nothing else). It carries world chat — the lines of one event-loop turn in one message, so a
// busy chat costs one PUBLISH a turn, not one a line — and console commands one host asks the
// others to run, each answered on the same channel. Pub/sub keeps nothing: a host that is away
// when a message goes out never sees it (what must last, the ban list, is kept in the store).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusChatLine, BusMessage, HostAnswer, HostCommand, HostCommandName, HostCommands, HostReplies } from '../../ipc/bus.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { KEYS } from '../redis/keys.js';

export interface BusOptions {
  hostId: string;
  log: Logger;
  /** How long ask() waits for the other hosts' answers. */
  askTimeoutMs: number;
  /**
   * How many other hosts are live (hosts.ts). PUBLISH counts every subscriber of the channel, a
   * `redis-cli SUBSCRIBE` too; ask() waits for no more answers than live hosts.
   */
  others?: () => Promise<number>;
}

interface Asking {
  want: number;
  replies: HostReplies<unknown>['replies'];
  done: () => void;
}

export class Bus {
  /** Remote world chat lines, for this host's players. */
  onChat: (lines: BusChatLine[]) => void = () => {};
  /** Runs a command another host asked for (this host's answer). */
  onAsk: (cmd: HostCommand, from: string) => Promise<HostAnswer> = () => Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not ready' } });

  private pending: BusChatLine[] = [];
  private flushScheduled = false;
  private unreachedLogged = false;
  private subscribed = false;
  private nextReq = 1;
  private readonly asking = new Map<number, Asking>();
  private readonly hostId: string;

  /** `pub` runs commands (PUBLISH); `sub` is given over to the subscription. */
  constructor(private readonly pub: Redis, private readonly sub: Redis, private readonly o: BusOptions) {
    this.hostId = o.hostId;
    sub.on('message', (channel: string, raw: string) => {
      if (channel === KEYS.bus) this.receive(raw);
    });
    // ioredis subscribes again after a reconnect; this covers a first connect that came late.
    sub.on('ready', () => void this.subscribe());
    sub.on('close', () => (this.subscribed = false));
  }

  async subscribe(): Promise<void> {
    try {
      await this.sub.subscribe(KEYS.bus);
      this.subscribed = true;
    } catch (err) {
      this.subscribed = false;
      this.o.log.warn({ err: (err as Error).message }, 'cannot subscribe to the hosts\' bus yet; retried when Redis is back');
    }
  }

  /** A world chat line for every other host's players; sent with the others of this turn. */
  chat(line: BusChatLine): void {
    this.pending.push(line);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushChat());
  }

  /**
   * Asks every other host to run a command; resolves with the answers that came within the time
   * (`asked` says how many hosts heard it). Rejects with UNAVAILABLE when Redis cannot be reached.
   */
  async ask<K extends HostCommandName>(k: K, args: HostCommands[K][0]): Promise<HostReplies<HostCommands[K][1]>> {
    const req = this.nextReq++;
    const cmd = { k, args } as HostCommand;
    const a: Asking = { want: Infinity, replies: [], done: () => {} };
    const finished = new Promise<void>((resolve) => (a.done = resolve));
    this.asking.set(req, a);
    let heard: number;
    try {
      heard = await this.publish({ t: 'ask', from: this.hostId, req, cmd });
    } catch (err) {
      this.asking.delete(req);
      throw new CodedError('UNAVAILABLE', `other hosts cannot be asked: redis unreachable (${(err as Error).message})`);
    }
    // PUBLISH counts every subscriber, this host's own included, and any other listener.
    const others = await this.o.others?.().catch(() => Infinity);
    a.want = Math.min(Math.max(0, heard - (this.subscribed ? 1 : 0)), others ?? Infinity);
    if (a.replies.length >= a.want) a.done();
    const timer = setTimeout(() => a.done(), this.o.askTimeoutMs);
    await finished;
    clearTimeout(timer);
    this.asking.delete(req);
    return { asked: a.want, replies: a.replies } as HostReplies<HostCommands[K][1]>;
  }

  close(): void {
    for (const a of this.asking.values()) a.done();
    this.sub.disconnect();
  }

  private flushChat(): void {
    this.flushScheduled = false;
    const lines = this.pending;
    this.pending = [];
    if (lines.length === 0) return;
    this.publish({ t: 'chat', from: this.hostId, lines }).then(
      () => {
        if (this.unreachedLogged) this.o.log.info({ code: 'BUS_REACHABLE' }, 'world chat reaches the other hosts again');
        this.unreachedLogged = false;
      },
      (err: Error) => {
        // This host's players had the lines already; said once until it works again.
        if (!this.unreachedLogged) this.o.log.warn({ code: 'BUS_UNREACHABLE', err: err.message, lines: lines.length }, 'world chat and say did not reach the other hosts: redis unreachable');
        this.unreachedLogged = true;
      },
    );
  }

  private publish(m: BusMessage): Promise<number> {
    return this.pub.publish(KEYS.bus, JSON.stringify(m));
  }

  private receive(raw: string): void {
    const m = parseBusMessage(raw);
    if (!m || m.from === this.hostId) return;
    if (m.t === 'chat') this.onChat(m.lines);
    else if (m.t === 'ask') void this.answer(m.from, m.req, m.cmd);
    else if (m.to === this.hostId) {
      const a = this.asking.get(m.req);
      if (!a) return;
      a.replies.push(m.answer.ok ? { host: m.from, ok: true, data: m.answer.data } : { host: m.from, ok: false, error: m.answer.error });
      if (a.replies.length >= a.want) a.done();
    }
  }

  private async answer(to: string, req: number, cmd: HostCommand): Promise<void> {
    let answer: HostAnswer;
    try {
      answer = await this.onAsk(cmd, to);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      answer = { ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
    }
    await this.publish({ t: 'answer', from: this.hostId, to, req, answer }).catch((err: Error) =>
      this.o.log.warn({ err: err.message, to, cmd: cmd.k }, 'cannot answer another host\'s console command: redis unreachable'),
    );
  }
}

const str = (v: unknown): v is string => typeof v === 'string';

/**
 * A bus message as read off Redis, or null. Whatever can write to Redis can publish here, so the
 * shape is checked before anything reaches a player or the console.
 */
export function parseBusMessage(raw: string): BusMessage | null {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null || !str(m.from)) return null;
  if (m.t === 'chat') {
    if (!Array.isArray(m.lines)) return null;
    const lines: BusChatLine[] = [];
    for (const l of m.lines as Array<Record<string, unknown>>) {
      if (typeof l !== 'object' || l === null || !str(l.from) || !str(l.name) || !str(l.text) || (l.scope !== 'world')) return null;
      lines.push(l.operator === true ? { from: l.from, name: l.name, text: l.text, scope: 'world', operator: true } : { from: l.from, name: l.name, text: l.text, scope: 'world' });
    }
    return { t: 'chat', from: m.from, lines };
  }
  if (typeof m.req !== 'number') return null;
  if (m.t === 'ask') {
    const c = m.cmd as { k?: unknown; args?: unknown } | undefined;
    if (!c || (c.k !== 'kick' && c.k !== 'ban' && c.k !== 'unban') || typeof c.args !== 'object' || c.args === null) return null;
    return { t: 'ask', from: m.from, req: m.req, cmd: c as HostCommand };
  }
  if (m.t === 'answer' && str(m.to) && typeof m.answer === 'object' && m.answer !== null) {
    return { t: 'answer', from: m.from, to: m.to, req: m.req, answer: m.answer as HostAnswer };
  }
  return null;
}
