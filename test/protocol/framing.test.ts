// TCP framing: frames come out whole and in order however the stream is cut into chunks, and bad
// lengths are refused from the header alone.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FrameReader, frame } from '../../shared/protocol/framing.js';

function run(chunks: Buffer[], maxFrame = 1000): { frames: string[]; error: string | null } {
  const frames: string[] = [];
  let error: string | null = null;
  const r = new FrameReader(maxFrame, (b) => frames.push(b.toString('hex')), (e) => (error = e));
  for (const c of chunks) r.push(c);
  return { frames, error };
}

it('gives back every frame whole and in order, however the stream is cut', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 40 }), (bodies, cuts) => {
      const stream = Buffer.concat(bodies.map((b) => frame(b)));
      const points = [...new Set(cuts.map((c) => (stream.length ? c % stream.length : 0)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of [...points, stream.length]) {
        if (p > prev) chunks.push(stream.subarray(prev, p));
        prev = p;
      }
      const out = run(chunks);
      expect(out.error).toBeNull();
      expect(out.frames).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
    }),
  );
});

it('reassembles a frame sent one byte at a time', () => {
  const body = Buffer.alloc(900, 7);
  const out = run([...frame(body)].map((b) => Buffer.from([b])));
  expect(out.frames).toEqual([body.toString('hex')]);
});

it('refuses a zero length and an over-limit length from the header, even split', () => {
  expect(run([Buffer.from([0, 0]), Buffer.from([0, 0])]).error).toBe('BAD_FRAME');
  expect(run([Buffer.from([0, 0, 0x10]), Buffer.from([0])]).error).toBe('FRAME_TOO_LARGE');
  expect(run([Buffer.from([0, 0, 0x10, 0, 1, 2, 3])]).error).toBe('FRAME_TOO_LARGE');
});
