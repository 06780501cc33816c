// Command-line options of the simulator, parsed with node:util's parseArgs.
import os from 'node:os';
import { parseArgs } from 'node:util';

export type TransportChoice = 'tcp' | 'ws' | 'mix';

export interface SimOptions {
  players: number;
  transport: TransportChoice;
  /** Players per named room; 0 lets the server place them. */
  roomSize: number;
  /** Seconds of measurement after every player has joined. */
  seconds: number;
  inputHz: number;
  host: string;
  port: number;
  json: boolean;
  /** Child processes carrying the players. */
  procs: number;
  /** New connections a second while ramping up, over all children. */
  rampRate: number;
  /** Seconds between the end of the ramp and the start of measurement. */
  warmup: number;
  /** Pings a second per player. */
  pingHz: number;
  /** Fractions of players that leave and rejoin, and that drop and resume, once each. */
  leaveFraction: number;
  dropFraction: number;
  /** Mean seconds between a player's chat lines. */
  chatEvery: number;
  /** Prefix of room names, so runs against the same server do not share rooms. */
  roomPrefix: string;
}

const HELP = `usage: npm run sim -- --players N [--transport tcp|ws|mix] [--room-size 16] [--seconds S]
  [--input-hz 10] [--host 127.0.0.1] [--port 8000] [--json] [--procs N] [--ramp-rate 1000]
  [--warmup 1] [--ping-hz 1] [--leave-fraction 0.05] [--drop-fraction 0.05] [--chat-every 30]`;

export function parseSimOptions(argv: string[]): SimOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      players: { type: 'string', default: '100' },
      transport: { type: 'string', default: 'mix' },
      'room-size': { type: 'string', default: '16' },
      seconds: { type: 'string', default: '10' },
      'input-hz': { type: 'string', default: '10' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8000' },
      json: { type: 'boolean', default: false },
      procs: { type: 'string', default: String(os.availableParallelism()) },
      'ramp-rate': { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '1' },
      'ping-hz': { type: 'string', default: '1' },
      'leave-fraction': { type: 'string', default: '0.05' },
      'drop-fraction': { type: 'string', default: '0.05' },
      'chat-every': { type: 'string', default: '30' },
      'room-prefix': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    process.exit(0);
  }
  const transport = values.transport as TransportChoice;
  if (!['tcp', 'ws', 'mix'].includes(transport)) throw new Error(`--transport must be tcp, ws or mix\n${HELP}`);
  const players = positiveInt(values.players, 'players');
  return {
    players,
    transport,
    roomSize: nonNegative(values['room-size'], 'room-size'),
    seconds: positive(values.seconds, 'seconds'),
    inputHz: positive(values['input-hz'], 'input-hz'),
    host: values.host,
    port: positiveInt(values.port, 'port'),
    json: values.json,
    procs: Math.min(positiveInt(values.procs, 'procs'), players),
    rampRate: positive(values['ramp-rate'], 'ramp-rate'),
    warmup: nonNegative(values.warmup, 'warmup'),
    pingHz: nonNegative(values['ping-hz'], 'ping-hz'),
    leaveFraction: fraction(values['leave-fraction'], 'leave-fraction'),
    dropFraction: fraction(values['drop-fraction'], 'drop-fraction'),
    chatEvery: nonNegative(values['chat-every'], 'chat-every'),
    roomPrefix: values['room-prefix'] ?? `sim${Math.random().toString(36).slice(2, 6)}`,
  };
}

function num(s: string, name: string): number {
  const v = Number(s);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got ${JSON.stringify(s)}`);
  return v;
}
function positive(s: string, name: string): number {
  const v = num(s, name);
  if (v <= 0) throw new Error(`--${name} must be > 0`);
  return v;
}
function positiveInt(s: string, name: string): number {
  const v = positive(s, name);
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer`);
  return v;
}
function nonNegative(s: string, name: string): number {
  const v = num(s, name);
  if (v < 0) throw new Error(`--${name} must be >= 0`);
  return v;
}
function fraction(s: string, name: string): number {
  const v = num(s, name);
  if (v < 0 || v > 1) throw new Error(`--${name} must be in [0, 1]`);
  return v;
}
