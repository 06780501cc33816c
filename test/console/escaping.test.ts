// What the console prints is escaped: control, bidi and invisible characters in names, ids,
// reasons and chat come out as \u{..} in the CLI's tables and errors, and as \uXXXX escapes in
// JSON (the CLI's --json and the socket's answer lines), which parse back to the same text.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { cli } from './console-helpers.js';
import net from 'node:net';

// Anything hidden but the newline that ends lines: ESC (C0), CSI (C1), RLO and PDF (bidi), ZWSP, BOM, and a tag character (above U+FFFF).
// eslint-disable-next-line no-control-regex -- control characters are exactly what this test looks for
const HIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]|\u{e0041}/u;
const REASON = 'spam\u001b[2J\u009b31m \u202egnp.exe\u202c\u200b\ufeff\u{e0041}';
const REASON_ESCAPED = 'spam\\u{1b}[2J\\u{9b}31m \\u{202e}gnp.exe\\u{202c}\\u{200b}\\u{feff}\\u{e0041}';

function rawLine(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let buf = '';
    s.on('data', (d) => (buf += d.toString('utf8')));
    s.on('error', reject);
    s.on('close', () => resolve(buf));
    s.on('connect', () => s.end(line + '\n'));
  });
}

describe('operator console: escaped output', { timeout: 60_000 }, () => {
  let server: TestServer;
  let sock: string;

  beforeAll(async () => {
    server = await startServer({ workers: 1 });
    sock = server.consoleSocket;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
  }, 30_000);

  it('prints a kick reason full of terminal and bidi controls as escapes, in a table and in --json', async () => {
    const c = server.client({ transport: 'tcp', name: 'Zoë', room: 'esc', autoResume: false });
    const w = await c.connect();
    const t = await cli(['kick', w.id, REASON, '--console', sock]);
    expect(t.code).toBe(0);
    expect(t.stdout).not.toMatch(HIDDEN);
    expect(t.stdout).toMatch(new RegExp(`^reason +${REASON_ESCAPED.replace(/[\\[\]{}.]/g, '\\$&')}$`, 'm'));
    // Printable non-ASCII is shown as it is.
    expect(t.stdout).toMatch(/^name +Zoë$/m);

    const c2 = server.client({ transport: 'tcp', name: 'Zoë', room: 'esc', autoResume: false });
    const w2 = await c2.connect();
    const j = await cli(['kick', w2.id, REASON, '--json', '--console', sock]);
    expect(j.code).toBe(0);
    expect(j.stdout).not.toMatch(HIDDEN);
    expect(j.stdout).toContain('\\u001b[2J\\u009b31m \\u202egnp.exe\\u202c\\u200b\\ufeff\\udb40\\udc41');
    expect(JSON.parse(j.stdout).reason).toBe(REASON);
  });

  it('escapes what an error message echoes back', async () => {
    const r = await cli(['room', 'x\u001b]0;pwned\u0007\u202e', '--console', sock]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(HIDDEN);
    // The id is quoted with JSON.stringify, which escapes C0 itself; the rest is ours.
    expect(r.stderr).toContain('x\\u001b]0;pwned\\u0007\\u{202e}');
  });

  it('sends answer lines on the socket with hidden characters as \\uXXXX, the same value once parsed', async () => {
    const line = await rawLine(sock, JSON.stringify({ id: 1, cmd: 'say', args: ['hello\u200bthere \u2066x\u2069'] }));
    expect(line).not.toMatch(HIDDEN);
    const a = JSON.parse(line);
    // Chat keeps zero-width characters but drops bidi isolates; the answer shows what was said.
    expect(a).toMatchObject({ id: 1, ok: true, data: { said: 'hello\u200bthere x' } });
    const t = await cli(['say', 'again\u200b', '--console', sock]);
    expect(t.stdout).toMatch(/^said +again\\u\{200b\}$/m);
  });
});
