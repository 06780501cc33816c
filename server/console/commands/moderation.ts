// Commands that act on players: kick, say, and address bans.
import net from 'node:net';
import { cleanChat } from '../../../shared/protocol/text-rules.js';
import { banTarget, type BanEntry } from '../bans.js';
import type { Command, ConsoleContext } from '../context.js';
import { int, parseArgs, playerId } from './args.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export const kick: Command = {
  name: 'kick',
  usage: 'kick PLAYER [REASON]',
  summary: 'the player gets bye "kicked", is disconnected and loses its seat (no resume)',
  details: 'REASON is free text kept in the audit log. The player\'s token stops working, so the client does not come back on its own.',
  async run(ctx, args) {
    const p = parseArgs('kick', this.usage, args, { min: 1, max: Infinity });
    const id = playerId(p.pos[0]!);
    const reason = p.pos.slice(1).join(' ') || null;
    const answers = await ctx.rpc.all('kick', { id, reason: 'kicked' });
    const hit = answers.find((a) => a.ok && a.data.found);
    if (hit && hit.ok && hit.data.found) return { kicked: hit.data.id, name: hit.data.name, room: hit.data.room, worker: hit.data.worker, address: hit.data.address, reason };
    const failed = answers.filter((a) => !a.ok).map((a) => a.worker);
    if (failed.length) throw new CodedError('WORKER_TIMEOUT', `player ${id} not found; worker(s) ${failed.join(', ')} did not answer`);
    throw new CodedError('PLAYER_NOT_FOUND', `no player ${JSON.stringify(id)} is seated`);
  },
};

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
    const list = await ctx.host.request('admin.ban', { address, until }, 3000);
    ctx.bans.set(list);
    const res = await ctx.rpc.values('kickAddress', { targets: [address], reason: 'banned' });
    return {
      banned: address, until: iso(until),
      disconnected: res.reduce((n, r) => n + r.data.kicked.length + r.data.closed, 0),
      players: res.flatMap((r) => r.data.kicked),
    };
  },
};

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
    return { unbanned: address };
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
