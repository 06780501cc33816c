// Talks to a running server's console socket the way a script would: JSON lines in, JSON lines out.
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(root, 'dist/server/console/cli.js');

export interface Answer {
  id: string | number | null;
  ok: boolean;
  data?: any;
  error?: { code: string; message: string };
}

/** Writes raw bytes, half-closes, and returns every answer line the console sent back. */
export function rawExchange(socket: string, payload: string | Buffer, timeoutMs = 15_000): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`console did not close within ${timeoutMs} ms; got ${buf}`));
    }, timeoutMs);
    s.on('data', (d) => (buf += d.toString()));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(buf.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    });
    s.on('connect', () => s.end(payload));
  });
}

/** One command as a JSON request; resolves with the whole answer. */
export async function ask(socket: string, cmd: string, ...args: string[]): Promise<Answer> {
  const [a] = await rawExchange(socket, JSON.stringify({ id: 1, cmd, args }) + '\n', 60_000);
  if (!a) throw new Error(`no answer to ${cmd}`);
  return a;
}

/** One command that must succeed; resolves with its data. */
export async function run(socket: string, cmd: string, ...args: string[]): Promise<any> {
  const a = await ask(socket, cmd, ...args);
  if (!a.ok) throw new Error(`${cmd} ${args.join(' ')} failed: ${a.error?.code} ${a.error?.message}`);
  return a.data;
}

/** Runs the bundled CLI; never rejects, resolves with its exit code and output. */
export function cli(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) ?? 1 : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
