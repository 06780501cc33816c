#!/usr/bin/env node
// `npm run console`: the operator's client for the console socket.
//   npm run console -- COMMAND [ARGS] [--json] [--console PATH]   one command, then exit
//   npm run console [-- --console PATH]                            interactive prompt
// Exit status: 0 done; 1 the command failed; 2 the console could not be reached or bad usage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ConsoleClient } from './client.js';
import { escapeForTerminal, escapeJson } from './escape.js';
import { render } from './format.js';
import { tokenize, type Answer } from './wire.js';
import { CodedError } from '../../shared/errors/coded-error.js';

const FALLBACK_COMMANDS = [
  'help', 'status', 'hosts', 'workers', 'rooms', 'room', 'players', 'kick', 'say', 'ban', 'unban', 'bans', 'drain', 'undrain',
  'restart', 'loglevel', 'set', 'save', 'shutdown',
];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HISTORY_FILE = path.join(os.homedir(), '.shoal_console_history');

interface Options {
  json: boolean;
  socket: string;
  words: string[];
}

function parseArgv(argv: string[]): Options {
  let json = false;
  let socket: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--console') {
      socket = argv[++i];
      if (socket === undefined) usageExit('--console needs a path');
    } else if (a.startsWith('--console=')) socket = a.slice('--console='.length);
    else if ((a === '--help' || a === '-h') && words.length === 0) {
      console.log('usage: npm run console -- [COMMAND [ARGS]] [--json] [--console PATH]\n' +
        'With no COMMAND, opens a prompt. The socket is --console, else $SHOAL_CONSOLE, else ./data/console.sock.\n' +
        'Run "help" for the commands.');
      process.exit(0);
    } else words.push(a);
  }
  return { json, socket: socket || process.env.SHOAL_CONSOLE || path.join('data', 'console.sock'), words };
}

function usageExit(msg: string): never {
  console.error(`shoal console: ${msg}`);
  process.exit(2);
}

function show(a: Answer, json: boolean): boolean {
  if (json) {
    console.log(escapeJson(JSON.stringify(a.ok ? a.data : { error: a.error }, null, 2)));
    return a.ok;
  }
  if (a.ok) console.log(render(a.data));
  else console.error(escapeForTerminal(`error ${a.error.code}: ${a.error.message}`));
  return a.ok;
}

async function oneShot(o: Options): Promise<number> {
  const client = await ClientOrExit(o.socket);
  const [cmd, ...args] = o.words;
  const a = await client.request(cmd!, args);
  client.close();
  return show(a, o.json) ? 0 : 1;
}

async function ClientOrExit(socket: string): Promise<ConsoleClient> {
  try {
    return await ConsoleClient.connect(socket);
  } catch (err) {
    console.error(`shoal console: ${(err as Error).message}`);
    process.exit(2);
  }
}

async function interactive(o: Options): Promise<number> {
  const client = await ClientOrExit(o.socket);
  const tty = !!process.stdin.isTTY;
  let commands = FALLBACK_COMMANDS;
  const h = await client.request('help', []);
  if (h.ok && Array.isArray(h.data)) commands = (h.data as Array<{ command: string }>).map((c) => c.command.split(' ')[0]!);

  let history: string[] = [];
  try {
    history = fs.readFileSync(HISTORY_FILE, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500);
  } catch {
    // no history yet
  }
  const completer = (line: string): [string[], string] => {
    const words = line.split(/\s+/);
    const last = words[words.length - 1] ?? '';
    let pool: string[] = [];
    if (words.length === 1) pool = commands;
    else if (words.length === 2 && words[0] === 'help') pool = commands;
    else if (words.length === 2 && words[0] === 'loglevel') pool = LEVELS;
    else if (words.length === 3 && words[0] === 'loglevel') pool = ['primary', 'worker', 'coordinator', 'all'];
    else if (words.length === 2 && words[0] === 'restart') pool = ['all'];
    const hits = pool.filter((c) => c.startsWith(last));
    return [hits.length ? hits.map((c) => (words.length === 1 ? c + ' ' : c)) : [], last];
  };
  const rl = readline.createInterface({
    input: process.stdin, output: process.stdout, terminal: tty, completer: tty ? completer : undefined,
    history, historySize: 500, removeHistoryDuplicates: true, prompt: 'shoal> ',
  });
  if (tty) {
    console.log(`Shoal console on ${o.socket}. "help" lists the commands; "exit" or Ctrl-D leaves.`);
    rl.on('history', (h: string[]) => (history = h));
  }
  let closedByServer = false;
  client.onClose = () => {
    closedByServer = true;
    console.error('shoal console: the server closed the connection');
    rl.close();
  };
  let failures = 0;
  if (tty) rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'exit' || line === 'quit') break;
    if (line !== '' && !line.startsWith('#')) {
      let words: string[];
      try {
        words = tokenize(line);
      } catch (err) {
        console.error(`error ${(err as CodedError).code}: ${(err as Error).message}`);
        failures++;
        if (tty) rl.prompt();
        continue;
      }
      if (!show(await client.request(words[0]!, words.slice(1)), o.json)) failures++;
      if (closedByServer) break;
    }
    if (tty) rl.prompt();
  }
  rl.close();
  client.close();
  if (tty) {
    try {
      fs.writeFileSync(HISTORY_FILE, history.slice().reverse().join('\n') + '\n', { mode: 0o600 });
    } catch {
      // history is a convenience
    }
  }
  // A script piped in fails if any of its commands did.
  return !tty && failures > 0 ? 1 : 0;
}

const o = parseArgv(process.argv.slice(2));
(o.words.length ? oneShot(o) : interactive(o)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`shoal console: ${err instanceof CodedError ? err.message : (err as Error).stack}`);
    process.exit(2);
  },
);
