// The lean load client: its byte templates are the messages they claim to be, its first-bytes
// peek tells server messages apart as the decoder would, and against a real Shoal it joins every
// player over TCP and WebSocket, counts the states a 20 Hz room sends and times pongs.
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/protocol/codec.js';
import { inputTemplate, pingTemplate, writeInput, writePing } from '../../loadtest/lean/input-template.js';
import { PEEK_ERROR, PEEK_OTHER, PEEK_PONG, PEEK_STATE, PEEK_WELCOME, peek } from '../../loadtest/lean/wire-peek.js';
import { runLean } from '../../loadtest/lean/run.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('lean load client', () => {
  it('writes inputs and pings that decode to the messages they stand for', () => {
    const b = inputTemplate();
    writeInput(b, 4_000_000_000, -0.25, 1);
    expect(decode(b)).toEqual({ t: 'input', seq: 4_000_000_000, dx: -0.25, dy: 1 });
    const p = pingTemplate();
    writePing(p, 77);
    expect(decode(p)).toEqual({ t: 'ping', id: 77 });
  });

  it('peeks the type of every server message the way the decoder reads it', () => {
    const kind = (m: unknown) => {
      const b = Buffer.from(encode(m));
      return peek(b, 0, b.length);
    };
    expect(kind({ t: 'state', tick: 1, full: false, players: [], gone: [], coins: [], taken: [] })).toBe(PEEK_STATE);
    expect(kind({ t: 'pong', id: 1, tick: 2 })).toBe(PEEK_PONG);
    expect(kind({ t: 'welcome', id: 'p1', token: 'x', room: 'r', hz: 20, tick: 0, resumed: false, world: { w: 1, h: 1 } })).toBe(PEEK_WELCOME);
    expect(kind({ t: 'error', code: 'BAD_MESSAGE', message: 'm', fatal: false })).toBe(PEEK_ERROR);
    expect(kind({ t: 'chat', from: 'a', name: 'b', text: 'c', scope: 'room' })).toBe(PEEK_OTHER);
    expect(kind({ t: 'stats' })).toBe(PEEK_OTHER);
  });

  describe('against a real server', () => {
    let s: TestServer;
    afterAll(async () => {
      await s?.stop();
    });

    it('joins every player on both transports and counts 20 Hz states and pongs', async () => {
      s = await startServer({ workers: 1 });
      const r = await runLean({
        host: '127.0.0.1', port: s.port, players: 40, transport: 'mix', seconds: 3, warmupSeconds: 1,
        inputHz: 10, pingHz: 1, rampPerSecond: 1000, serverPid: s.pid,
      });
      expect(r.joined).toBe(40);
      expect(r.errors).toEqual({});
      expect(r.hz).toBe(20);
      // 40 players x 20 Hz x ~3 s; a loaded machine may delay a few ticks, never most of them.
      expect(r.statesExpected).toBeGreaterThan(2000);
      expect(r.delivered).toBeGreaterThan(0.9);
      // States already in flight when the window opens may land inside it: a little over 1, never much.
      expect(r.delivered).toBeLessThanOrEqual(1.05);
      expect(r.pongs).toBeGreaterThanOrEqual(80);
      expect(r.serverCores).toBeGreaterThan(0);
      expect(r.clientCores).toBeGreaterThan(0);
    });
  });
});
