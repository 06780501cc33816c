// Commands that act on players: kick, say, and address bans. With --store redis they reach every
// host: say as a world chat line (the coordinator publishes it), kick, ban and unban asked of the
// other hosts over the bus, and `runForHost` is how this host runs what another one asked.
import net from 'node:net';
import { cleanChat } from '../../../shared/protocol/text-rules.js';
import { banTarget, type BanEntry } from '../bans.js';
import type { Command, ConsoleContext } from '../context.js';
import { int, parseArgs, playerId } from './args.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { parseStore } from '../../config/store-url.js';
import type { HostAnswer, HostCommand } from '../../ipc/bus.js';
import type { CoordinatorArgs, CoordinatorResult } from '../../ipc/coordinator-ops.js';
import type { KickResult } from '../../ipc/primary-worker.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export const kick: Command = {
  name: 'kick',
  usage: 'kick PLAYER [REASON]',
  summary: 'the player gets bye "kicked", is disconnected and loses its seat (no resume); on whichever host seats it',
  details: 'REASON is free text kept in the audit log. The player\'s token stops working, so the client does not come back on its own. ' +
    'With --store redis, a player no worker of this host seats is kicked by the host that seats it.',
  async run(ctx, args) {
    const p = parseArgs('kick', this.usage, args, { min: 1, max: Infinity });
    const id = playerId(p.pos[0]!);
    const reason = p.pos.slice(1).join(' ') || null;
    const here = await kickHere(ctx, id);
    const multi = clustered(ctx);
    const row = (hit: KickFound, host?: string) => ({
      kicked: hit.id, name: hit.name, room: hit.room, worker: hit.worker, address: hit.address, reason, ...(host !== undefined ? { host } : {}),
    });
    if (here.hit) return row(here.hit, multi ? ctx.host.config.hostId : undefined);
    let silentHosts = 0;
    if (multi) {
      const r = await ctx.host.request('bus.kick', { id }, 6000);
      for (const a of r.replies) if (a.ok && a.data.found) return row(a.data, a.host);
      silentHosts = r.asked - r.replies.filter((a) => a.ok).length;
    }
    if (here.failed.length) throw new CodedError('WORKER_TIMEOUT', `player ${id} not found; worker(s) ${here.failed.join(', ')} did not answer`);
    if (silentHosts > 0) throw new CodedError('HOST_TIMEOUT', `player ${id} not found; ${silentHosts} other host(s) did not answer`);
    throw new CodedError('PLAYER_NOT_FOUND', `no player ${JSON.stringify(id)} is seated`);
  },
};

type KickFound = Extract<KickResult, { found: true }>;

/** Kicks a player seated on this host's workers (bye "kicked"); `failed`: workers that did not answer. */
async function kickHere(ctx: ConsoleContext, id: string): Promise<{ hit: KickFound | null; failed: number[] }> {
  const answers = await ctx.rpc.all('kick', { id, reason: 'kicked' });
  for (const a of answers) if (a.ok && a.data.found) return { hit: a.data, failed: [] };
  return { hit: null, failed: answers.filter((a) => !a.ok).map((a) => a.worker) };
}

/** Whether this server is one host of many (--store redis): kick, ban and unban reach the others. */
function clustered(ctx: ConsoleContext): boolean {
  return parseStore(ctx.host.config.store).kind === 'redis';
}

export const say: Command = {
  name: 'say',
  usage: 'say TEXT',
  summary: 'every player gets a chat line from "server" with scope world, marked as the operator\'s',
  details: 'Control and bidi characters are dropped from TEXT as from any chat line.',
  async run(ctx, args) {
    const text = cleanChat(args.join(' ').trim());
    const max = ctx.host.config.chatMax;
    const chars = [...text].length;
    if (chars === 0) throw new CodedError('BAD_ARGS', 'say: nothing to say (usage: say TEXT)');
    if (chars > max) throw new CodedError('BAD_ARGS', `say: ${chars} characters; a chat line holds at most ${max}`);
    await announce(ctx, text);
    return { said: text, scope: 'world', workers: ctx.host.runningWorkers() };
  },
};

/** A world chat line from `server`, marked as the operator's, through the coordinator to every worker. */
export function announce(ctx: ConsoleContext, text: string): Promise<unknown> {
  return ctx.host.request('chat.world', { from: 'server', name: 'server', text, operator: true }, 3000);
}

function banRow(e: BanEntry) {
  return {
    address: e.address, since: iso(e.at), until: iso(e.until),
    minutesLeft: e.until === null ? null : Math.max(0, Math.ceil((e.until - Date.now()) / 60000)),
  };
}

export const ban: Command = {
  name: 'ban',
  usage: 'ban ADDRESS [MINUTES] [--force]',
  summary: 'refuse connections from an address or CIDR subnet (forever, or MINUTES); its players are disconnected',
  details: 'Kept in the coordinator (durable). Players connected from the address get bye "banned" and lose their seats. ' +
    'A subnet wider than /banForcePrefixV4 (IPv4, default /8) or /banForcePrefixV6 (IPv6, default /32) is refused with CONFIRM_REQUIRED unless --force is given.',
  async run(ctx, args) {
    const force = args.includes('--force');
    const p = parseArgs('ban', this.usage, args.filter((a) => a !== '--force'), { min: 1, max: 2 });
    const address = banTarget(p.pos[0]!);
    const wide = tooWide(address, ctx.host.config.banForcePrefixV4, ctx.host.config.banForcePrefixV6);
    if (wide && !force) throw new CodedError('CONFIRM_REQUIRED', `ban ${address}: ${wide}; to ban it anyway, repeat with --force`);
    const minutes = p.pos[1] === undefined ? null : int(p.pos[1], 'MINUTES', 1, 10 * 525_600);
    const until = minutes === null ? null : Date.now() + minutes * 60_000;
    const here = await banHere(ctx, { address, until });
    const out = { banned: address, until: iso(until), disconnected: here.kicked.length + here.closed, players: here.kicked };
    if (!clustered(ctx)) return out;
    const entry = here.list.find((e) => e.address === address) ?? { address, until, at: Date.now() };
    const others = await askHosts(ctx, 'bus.ban', { entry });
    for (const a of 'error' in others ? [] : others.replies) {
      if (!a.ok) continue;
      out.disconnected += a.data.kicked.length + a.data.closed;
      out.players = out.players.concat(a.data.kicked);
    }
    return { ...out, hosts: hostsLine(others) };
  },
};

/** Keeps a ban in this host's list and disconnects this host's players from it, as the console always has. */
async function banHere(ctx: ConsoleContext, e: { address: string; until: number | null; at?: number }) {
  const list = await ctx.host.request('admin.ban', e, 3000);
  ctx.bans.set(list);
  const res = await ctx.rpc.values('kickAddress', { targets: [e.address], reason: 'banned' });
  return { list, kicked: res.flatMap((r) => r.data.kicked), closed: res.reduce((n, r) => n + r.data.closed, 0) };
}

type Asked<K extends 'bus.ban' | 'bus.unban'> = CoordinatorResult<K> | { error: string };

/** Asks every other host; Redis away is an answer (the change holds on this host), not a failure. */
function askHosts<K extends 'bus.ban' | 'bus.unban'>(ctx: ConsoleContext, op: K, args: CoordinatorArgs<K>): Promise<Asked<K>> {
  return ctx.host.request(op, args, 6000).catch((err: Error & { code?: string }): Asked<K> => ({ error: `${err.code ?? 'FAILED'}: ${err.message}` }));
}

/** "2 of 2 answered", or why none was asked. */
function hostsLine(r: Asked<'bus.ban' | 'bus.unban'>): string {
  if ('error' in r) return `other hosts not reached (${r.error})`;
  const ok = r.replies.filter((a) => a.ok).length;
  return `${ok} of ${r.asked} other host(s) answered`;
}

/**
 * Runs a console command another host asked this one for (bus lane), the way this host's own
 * console runs it. Its arguments came over Redis: they are checked as an operator's are.
 */
export async function runForHost(ctx: ConsoleContext, cmd: HostCommand): Promise<HostAnswer> {
  try {
    return { ok: true, data: await forHost(ctx, cmd) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
  }
}

async function forHost(ctx: ConsoleContext, cmd: HostCommand): Promise<unknown> {
  switch (cmd.k) {
    case 'kick': {
      const here = await kickHere(ctx, playerId(String(cmd.args.id)));
      if (here.hit) ctx.audit.info({ cmd: 'kick', player: here.hit.id, room: here.hit.room }, 'console: kick asked by another host');
      return here.hit ?? { found: false };
    }
    case 'ban': {
      const e = cmd.args.entry;
      if (typeof e !== 'object' || e === null) throw new CodedError('BAD_ARGS', 'ban: no entry');
      const until = e.until === null ? null : Number(e.until);
      if (until !== null && !Number.isFinite(until)) throw new CodedError('BAD_ARGS', 'ban: until is not a time');
      const here = await banHere(ctx, { address: banTarget(String(e.address)), until, at: Number(e.at) || Date.now() });
      ctx.audit.info({ cmd: 'ban', address: e.address, kicked: here.kicked.length }, 'console: ban made on another host');
      return { kicked: here.kicked, closed: here.closed };
    }
    case 'unban': {
      const address = banTarget(String(cmd.args.address));
      const list = await ctx.host.request('admin.unban', { address }, 3000).then(
        (l) => l,
        (err: CodedError) => {
          // Lifted here already (one shared list): read it again.
          if (err.code === 'NOT_BANNED') return ctx.host.request('admin.bans', {}, 3000);
          throw err;
        },
      );
      ctx.bans.set(list);
      return { unbanned: true };
    }
  }
}

/**
 * Why a ban target needs --force (wider than the configured prefix), or null. An IPv6 subnet that
 * reaches into ::ffff:0:0/96 bans IPv4 peers too (they are matched in their mapped form), so it is
 * measured against the IPv4 rule as well: `::/64` covers every IPv4 address.
 */
function tooWide(target: string, minV4: number, minV6: number): string | null {
  const [a, prefix] = target.split('/');
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const v4Rule = (v4bits: number) =>
    v4bits >= minV4 ? null : `it covers 2^${32 - v4bits} IPv4 addresses (IPv4 bans wider than /${minV4} must be confirmed)`;
  if (net.isIP(a!) === 4) return v4Rule(bits);
  const subnet = new net.BlockList();
  subnet.addSubnet(a!, bits, 'ipv6');
  if (subnet.check('::ffff:0.0.0.0', 'ipv6') && subnet.check('::ffff:255.255.255.255', 'ipv6')) return v4Rule(0);
  if (bits > 96 && MAPPED.check(a!, 'ipv6')) return v4Rule(bits - 96);
  return bits >= minV6 ? null : `it covers 2^${128 - bits} IPv6 addresses (IPv6 bans wider than /${minV6} must be confirmed)`;
}

const MAPPED = new net.BlockList();
MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

export const unban: Command = {
  name: 'unban',
  usage: 'unban ADDRESS',
  summary: 'lift a ban',
  async run(ctx, args) {
    const p = parseArgs('unban', this.usage, args, { min: 1, max: 1 });
    const address = banTarget(p.pos[0]!);
    const list = await ctx.host.request('admin.unban', { address }, 3000);
    ctx.bans.set(list);
    if (!clustered(ctx)) return { unbanned: address };
    return { unbanned: address, hosts: hostsLine(await askHosts(ctx, 'bus.unban', { address })) };
  },
};

export const bans: Command = {
  name: 'bans',
  usage: 'bans',
  summary: 'the addresses banned now',
  async run(ctx, args) {
    parseArgs('bans', this.usage, args, { min: 0, max: 0 });
    const list = await ctx.host.request('admin.bans', {}, 3000);
    ctx.bans.set(list);
    return list.map(banRow);
  },
};
