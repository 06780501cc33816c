// Spoofing through names and chat, over TCP and WebSocket: a name that reads as the operator's or
// that hides control, bidi or invisible characters is refused with BAD_MESSAGE naming the field;
// chat loses its control and bidi-override characters; only the console's `say` carries the
// operator mark, whatever a player names itself or puts in its message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/protocol/codec.js';
import { startServer, sleep, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { run } from '../console/console-helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ workers: 1 });
}, 60_000);
afterAll(async () => {
  await server?.stop();
}, 30_000);

interface Peer {
  send(msg: unknown): void;
  next(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

async function tcpPeer(): Promise<Peer> {
  const c = await RawTcp.connect(server.port);
  return { send: (m) => c.send(m), next: (p, t) => c.next(p, t), close: () => c.close() };
}

async function wsPeer(): Promise<Peer> {
  const sock = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  const msgs: any[] = [];
  sock.on('message', (d: Buffer) => msgs.push(decode(d)));
  await new Promise((r, j) => {
    sock.once('open', r);
    sock.once('error', j);
  });
  return {
    send: (m) => sock.send(encode(m)),
    async next(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = msgs.findIndex(pred);
        if (i >= 0) return msgs.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(msgs.map((m) => m.t))}`);
        await sleep(10);
      }
    },
    close: () => sock.close(),
  };
}

const RESERVED_SPELLINGS = [
  'server', 'Server', 'SERVER', ' server ', 's e r v e r', '[server]', 'ѕerver' /* Cyrillic ѕ */, '5erver',
  'ｓｅｒｖｅｒ' /* fullwidth */, 'sérver', 'Operator', '0perator', 'admin', 'ADM1N', 'adrnin', 'Аdmin' /* Cyrillic А */,
  'system', 'Moderator', 'mod', 'console', 'root', 'staff',
];

const HIDDEN = [
  ['C0 control (ESC)', 'Bob\u001b[2J'],
  ['NUL', 'Bob\u0000'],
  ['DEL', 'Bob\u007f'],
  ['C1 control (NEL)', 'Bob\u0085'],
  ['C1 control (CSI)', 'Bob\u009b'],
  ['bidi override RLO', '\u202erevres'],
  ['bidi embedding LRE', 'Bob\u202a'],
  ['bidi isolate FSI', 'Bob\u2068x'],
  ['right-to-left mark', 'Bob\u200f'],
  ['Arabic letter mark', 'Bob\u061c'],
  ['zero-width space', 'ser\u200bver'],
  ['zero-width joiner', 'Bo\u200db'],
  ['word joiner', 'Bo\u2060b'],
  ['byte order mark', '\ufeffBob'],
  ['soft hyphen', 'Bo\u00adb'],
  ['line separator', 'Bob\u2028'],
] as const;

for (const transport of ['tcp', 'ws'] as const) {
  const peer = transport === 'tcp' ? tcpPeer : wsPeer;

  describe(`names and chat over ${transport}`, { timeout: 60_000 }, () => {
    it('refuses every spelling of a reserved name with BAD_MESSAGE naming hello.name, and the connection goes on', async () => {
      const p = await peer();
      for (const name of RESERVED_SPELLINGS) {
        p.send(hello(name));
        const e = await p.next((m) => m.t === 'error' || m.t === 'welcome');
        expect(e, name).toMatchObject({ t: 'error', code: 'BAD_MESSAGE', fatal: false });
        expect(e.message, name).toMatch(/^hello\.name .* is reserved/);
      }
      // Names that merely contain a reserved word are fine.
      p.send(hello('Serverus'));
      expect(await p.next((m) => m.t === 'welcome' || m.t === 'error')).toMatchObject({ t: 'welcome' });
      p.close();
    });

    it('refuses control, bidi and invisible characters in a name, saying which and where', async () => {
      const p = await peer();
      for (const [what, name] of HIDDEN) {
        p.send(hello(name));
        const e = await p.next((m) => m.t === 'error' || m.t === 'welcome');
        expect(e, what).toMatchObject({ t: 'error', code: 'BAD_MESSAGE', fatal: false });
        expect(e.message, what).toMatch(/^hello\.name must not contain control, bidi or invisible characters \(U\+[0-9A-F]{4} at \d+\)$/);
      }
      p.send(hello('Bob'));
      expect(await p.next((m) => m.t === 'welcome' || m.t === 'error')).toMatchObject({ t: 'welcome' });
      p.close();
    });

    it('accepts ordinary names in every script, with accents, emoji and punctuation', async () => {
      for (const name of ['Zoë', 'José', '日本語', 'Ωmega', 'Владимир', 'محمد', 'שלום', '🐟 fish', '❤️ hearts', "Anne-Marie O'Brien", 'Serverus', 'admiral']) {
        const p = await peer();
        p.send(hello(name));
        expect(await p.next((m) => m.t === 'welcome' || m.t === 'error'), name).toMatchObject({ t: 'welcome' });
        p.close();
      }
    });

    it('normalises a name to NFC: a decomposed é is shown composed', async () => {
      const room = `nfc-${transport}`;
      const p = await peer();
      p.send(hello('Cafe\u0301', { room }));
      const w = await p.next((m) => m.t === 'welcome' || m.t === 'error');
      expect(w.t).toBe('welcome');
      p.send({ t: 'chat', text: 'hi' });
      const line = await p.next((m) => m.t === 'chat');
      expect(line.name).toBe('Caf\u00e9');
      expect(line.name).toHaveLength(4);
      p.close();
    });

    it('drops control and bidi-override characters from chat before anyone sees it', async () => {
      const room = `chat-${transport}`;
      const sender = await peer();
      const reader = await peer();
      sender.send(hello('Mallory', { room }));
      reader.send(hello('Alice', { room }));
      const me = await sender.next((m) => m.t === 'welcome');
      await reader.next((m) => m.t === 'welcome');

      sender.send({ t: 'chat', text: 'a\u001b[31mred\u0000\u0007 b\u009b1m\u202egnp.exe\u202c\tc\r\nd\u2066e\u2069\u007f' });
      const got = await reader.next((m) => m.t === 'chat' && m.from === me.id);
      expect(got.text).toBe('a[31mred b1mgnp.exe c  de');
      expect(got.operator).toBeUndefined();

      // Marks and joiners that scripts and emoji need are kept; text is NFC.
      sender.send({ t: 'chat', text: '\u05e9\u05dc\u05d5\u05dd\u200f ok \ud83d\udc68\u200d\ud83d\udc69 cafe\u0301' });
      expect((await reader.next((m) => m.t === 'chat' && m.from === me.id)).text).toBe('\u05e9\u05dc\u05d5\u05dd\u200f ok \ud83d\udc68\u200d\ud83d\udc69 caf\u00e9');

      // Nothing printable left: refused, naming the field; the sender goes on.
      sender.send({ t: 'chat', text: '\u0000\u001b\u202e' });
      const e = await sender.next((m) => m.t === 'error');
      expect(e).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
      expect(e.message).toMatch(/^chat\.text /);
      sender.send({ t: 'ping', id: 7 });
      expect(await sender.next((m) => m.t === 'pong')).toMatchObject({ id: 7 });
      sender.close();
      reader.close();
    });

    it('marks only the operator\'s `say` as the operator\'s, never a player\'s world chat', async () => {
      const p = await peer();
      p.send(hello('Servus'));
      const me = await p.next((m) => m.t === 'welcome');
      // A player who asks for the mark in its own message does not get it.
      p.send({ t: 'chat', scope: 'world', text: 'restart in 5 minutes', operator: true, from: 'server', name: 'server' });
      const own = await p.next((m) => m.t === 'chat' && m.text === 'restart in 5 minutes');
      expect(own).toMatchObject({ from: me.id, name: 'Servus', scope: 'world' });
      expect(own).not.toHaveProperty('operator');

      await run(server.consoleSocket, 'say', `from the operator ${transport}\u001b[2J`);
      const said = await p.next((m) => m.t === 'chat' && m.text.startsWith('from the operator'));
      expect(said).toEqual({ t: 'chat', from: 'server', name: 'server', text: `from the operator ${transport}[2J`, scope: 'world', operator: true });
      p.close();
    });
  });
}
