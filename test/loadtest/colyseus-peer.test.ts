// The Colyseus peer and the lean client's Colyseus mode: the peer plays Shoal's default arena
// rules; the client's byte templates are the room messages they claim to be and its header peek
// reads messages built by Colyseus's own encoder; against the real peer (its own process) it
// seats players through the HTTP matchmaker, counts 20 Hz state patches and times pongs.
import { afterAll, describe, expect, it } from 'vitest';
import { Protocol, getMessageBytes } from '@colyseus/core';
import { decode } from '../../shared/protocol/codec.js';
import { SETTINGS } from '../../server/config/schema.js';
import { ARENA_ROOM, ARENA_RULES } from '../../loadtest/peers/colyseus/rules.js';
import { startColyseus } from '../../loadtest/peers/colyseus/start.js';
import {
  colyseusInputTemplate, colyseusPingTemplate, errorCode, peekColyseus, pongId, writeColyseusInput, writeColyseusPing,
} from '../../loadtest/lean/colyseus-wire.js';
import { colyseusProtocol } from '../../loadtest/lean/colyseus-protocol.js';
import { PEEK_ERROR, PEEK_OTHER, PEEK_PONG, PEEK_STATE, PEEK_WELCOME } from '../../loadtest/lean/wire-peek.js';
import { runLean } from '../../loadtest/lean/run.js';
import type { RunningServer } from '../../loadtest/servers.js';

/** A room message's type and body, read the way Colyseus's RoomMessages.onData reads it. */
function roomMessage(b: Buffer): { code: number; type: string; body: unknown } {
  const n = b[1]! - 0xa0;
  return { code: b[0]!, type: b.toString('utf8', 2, 2 + n), body: decode(b.subarray(2 + n)) };
}

describe('Colyseus peer', () => {
  it('plays the arena with Shoal default rules', () => {
    expect(ARENA_RULES).toEqual({
      roomCapacity: SETTINGS.roomCapacity.default, worldWidth: SETTINGS.worldWidth.default,
      worldHeight: SETTINGS.worldHeight.default, hz: SETTINGS.hz.default, coins: SETTINGS.coins.default,
      pickupRadius: SETTINGS.pickupRadius.default, playerSpeed: SETTINGS.playerSpeed.default,
    });
  });

  it('writes inputs and pings as the room messages they stand for', () => {
    const b = colyseusInputTemplate();
    writeColyseusInput(b, 4_000_000_000, -0.25, 1);
    expect(roomMessage(b)).toEqual({ code: Protocol.ROOM_DATA, type: 'input', body: { seq: 4_000_000_000, dx: -0.25, dy: 1 } });
    const p = colyseusPingTemplate();
    writeColyseusPing(p, 77);
    expect(roomMessage(p)).toEqual({ code: Protocol.ROOM_DATA, type: 'ping', body: { id: 77 } });
  });

  it('peeks messages built by Colyseus itself by their header', () => {
    const kind = (b: Uint8Array | number[]) => {
      const buf = Buffer.from(b);
      return peekColyseus(buf, 0, buf.length);
    };
    const pong = getMessageBytes.raw(Protocol.ROOM_DATA, 'pong', { id: 300_000, tick: 5 });
    expect(kind(pong)).toBe(PEEK_PONG);
    expect(pongId(pong, 0, pong.length)).toBe(300_000);
    expect(kind(getMessageBytes.raw(Protocol.ROOM_DATA, 'pang', { id: 1 }))).toBe(PEEK_OTHER);
    expect(kind(getMessageBytes.raw(Protocol.ROOM_DATA, 'chat', 'hello'))).toBe(PEEK_OTHER);
    expect(kind(getMessageBytes[Protocol.ROOM_STATE]([1, 2, 3]))).toBe(PEEK_STATE);
    expect(kind([Protocol.ROOM_STATE_PATCH, 0xff, 1])).toBe(PEEK_STATE);
    expect(kind(getMessageBytes[Protocol.JOIN_ROOM]('token', 'schema'))).toBe(PEEK_WELCOME);
    const err = getMessageBytes[Protocol.ERROR](4212, 'seat reservation expired.');
    expect(kind(err)).toBe(PEEK_ERROR);
    expect(errorCode(err, 0, err.length)).toBe(4212);
    expect(kind(getMessageBytes[Protocol.PING]())).toBe(PEEK_OTHER);
  });

  describe('against the real peer', () => {
    let s: RunningServer | undefined;
    afterAll(async () => {
      await s?.stop();
    });

    it('seats every player through the matchmaker, counts 20 Hz patches and times pongs', async () => {
      s = await startColyseus();
      const r = await runLean({
        host: '127.0.0.1', port: s.port, players: 20, transport: 'ws', seconds: 3, warmupSeconds: 1,
        inputHz: 10, pingHz: 1, rampPerSecond: 1000, serverPid: s.proc.pid,
        protocol: colyseusProtocol({ room: ARENA_ROOM, hz: ARENA_RULES.hz }),
      });
      expect(r.joined).toBe(20);
      expect(r.errors).toEqual({});
      expect(r.hz).toBe(20);
      // 20 players x 20 Hz x ~3 s = ~1200. Colyseus's loop is a plain 50 ms setInterval, which runs
      // late (about 19 Hz on an idle machine, less on a loaded one): most states, never all of them.
      expect(r.statesExpected).toBeGreaterThan(1000);
      expect(r.delivered).toBeGreaterThan(0.75);
      expect(r.delivered).toBeLessThanOrEqual(1.05);
      // One ping a second each, answered by the room with the same id.
      expect(r.pongs).toBeGreaterThanOrEqual(40);
      expect(r.rttP50Ms).toBeGreaterThan(0);
      expect(r.rttP99Ms!).toBeGreaterThanOrEqual(r.rttP50Ms!);
      expect(r.serverCores).toBeGreaterThan(0);
      expect(r.clientCores).toBeGreaterThan(0);
    });

    it('refuses a transport the peer does not speak', async () => {
      await expect(runLean({
        host: '127.0.0.1', port: s!.port, players: 2, transport: 'mix', seconds: 1, warmupSeconds: 0,
        inputHz: 10, pingHz: 1, rampPerSecond: 1000, protocol: colyseusProtocol({ room: ARENA_ROOM, hz: ARENA_RULES.hz }),
      })).rejects.toThrow('colyseus does not speak tcp');
    });
  });
});
