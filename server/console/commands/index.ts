// The console's command table. A command is looked up by name only; nothing else runs.
import type { Command } from '../context.js';
import { parseArgs } from './args.js';
import { deploy, drain, loglevel, restart, save, set, shutdown, undrain } from './control.js';
import { players, room, rooms, status, workers } from './info.js';
import { hosts } from './hosts.js';
import { ban, bans, kick, say, unban } from './moderation.js';
import { auth } from './auth.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const help: Command = {
  name: 'help',
  usage: 'help [COMMAND]',
  summary: 'lists the commands, or shows one command\'s usage',
  run(_ctx, args) {
    const p = parseArgs('help', this.usage, args, { min: 0, max: 1 });
    if (p.pos.length === 0) return COMMANDS.map((c) => ({ command: c.usage, description: c.summary }));
    const c = TABLE.get(p.pos[0]!.toLowerCase());
    if (!c) throw new CodedError('UNKNOWN_COMMAND', `no command ${JSON.stringify(p.pos[0])}; "help" lists them`);
    return { command: c.name, usage: c.usage, description: c.summary, ...(c.details ? { details: c.details } : {}) };
  },
};

export const COMMANDS: Command[] = [
  help, status, hosts, workers, rooms, room, players, kick, say, ban, unban, bans, drain, undrain, restart, deploy, loglevel, set, save, auth, shutdown,
];

export const TABLE = new Map(COMMANDS.map((c) => [c.name, c]));
