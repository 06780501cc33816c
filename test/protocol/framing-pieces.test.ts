// A frame that arrives in many small pieces (more than the reader keeps as a list) is gathered
// into one buffer and still comes out whole, in order, with the frames that share its last chunk.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FrameReader, frame } from '../../shared/protocol/framing.js';

function run(chunks: Buffer[]): string[] {
  const frames: string[] = [];
  const r = new FrameReader(4000, (b) => frames.push(b.toString('hex')), (e) => frames.push(`error ${e}`));
  for (const c of chunks) r.push(c);
  return frames;
}

it('gives back frames whole and in order when they come in hundreds of small pieces', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 600, maxLength: 3000 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { minLength: 300, maxLength: 1500 }),
      (bodies, cuts) => {
        const stream = Buffer.concat(bodies.map((b) => frame(b)));
        const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          if (p > prev) chunks.push(stream.subarray(prev, p));
          prev = p;
        }
        expect(run(chunks)).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
      },
    ),
    { numRuns: 200 },
  );
});

it('reads on past a frame gathered from pieces when its last piece carries the next frames', () => {
  const big = Buffer.alloc(3000, 5);
  const framed = frame(big);
  const pieces = [...framed.subarray(0, 200)].map((b) => Buffer.from([b]));
  const tail = Buffer.concat([framed.subarray(200), frame(Buffer.from([1, 2])), frame(Buffer.from([3]))]);
  expect(run([...pieces, tail])).toEqual([big.toString('hex'), '0102', '03']);
});
