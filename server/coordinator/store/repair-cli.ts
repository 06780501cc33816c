// `npm run repair -- --data DIR [--check]`: checks a stopped server's world store and repairs it.
// Works on the files alone (no server, no console needed). Exit codes: 0 sound or repaired,
// 1 problems found (--check) or the repair failed, 2 bad usage, 3 a server is running on DIR.
import net from 'node:net';
import path from 'node:path';
import { repairStore } from './repair.js';

const USAGE = 'usage: npm run repair -- --data DIR [--check] [--console SOCKET]\n';
const out = (line: string) => process.stdout.write(`${line}\n`);

function args(argv: string[]): { data: string; check: boolean; console?: string } | null {
  let data: string | undefined;
  let check = false;
  let consolePath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--data' && argv[i + 1]) data = argv[++i];
    else if (a === '--console' && argv[i + 1]) consolePath = argv[++i];
    else return null;
  }
  return data ? { data, check, console: consolePath } : null;
}

/** A server holding the data directory answers on its console socket (the directory's lock). */
function serverRunning(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function main(): Promise<number> {
  const a = args(process.argv.slice(2));
  if (!a) {
    process.stderr.write(USAGE);
    return 2;
  }
  const consoleSocket = a.console ?? path.join(a.data, 'console.sock');
  if (await serverRunning(consoleSocket)) {
    process.stderr.write(`repair: a Shoal server is running on ${a.data} (its console answers at ${consoleSocket}); stop it first\n`);
    return 3;
  }
  const r = repairStore(a.data, !a.check);
  for (const p of r.problems) out(`problem: ${p}`);
  for (const n of r.notes) out(`note: ${n}`);
  const summary = `${r.world.sessions.length} sessions, ${r.world.rooms.length} rooms, ${r.world.leaderboard.length} leaderboard names`;
  if (r.problems.length === 0 && !r.backup) {
    out(`ok: ${path.join(a.data, 'world')} is sound (${summary})`);
    return 0;
  }
  if (a.check) {
    out(r.problems.length ? `damaged: run \`npm run repair -- --data ${a.data}\` to repair` : `ok: nothing a start would refuse (${summary})`);
    return r.problems.length ? 1 : 0;
  }
  out(`repaired: kept ${summary}; the old files are in ${r.backup}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`repair failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
