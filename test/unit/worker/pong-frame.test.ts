// A pong's bytes written by hand (server/worker/session/pong-frame.ts) are exactly what the general
// encoder makes of the same message, at every size of id and tick, and past uint32 too.
import { describe, expect, it } from 'vitest';
import { encodeFramed } from '../../../shared/protocol/framing.js';
import { pongFramed } from '../../../server/worker/session/pong-frame.js';

describe('pong bytes', () => {
  it('are the bytes encodeFramed makes, for ids and ticks of every width', () => {
    const values = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff, 0x100000000, 2 ** 53 - 1, 1234567];
    for (const id of values) {
      for (const tick of values) {
        expect(Buffer.compare(pongFramed(id, tick), encodeFramed({ t: 'pong', id, tick })), `id ${id} tick ${tick}`).toBe(0);
      }
    }
  });
});
