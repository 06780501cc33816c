// A seeded pseudo-random source (mulberry32): the same seed gives the same sequence, so a scripted
// session (an A/B of two builds, a wire fixture, a randomised test) plays out identically each
// time. Not for anything that must be unpredictable.

/** Numbers in [0, 1), like Math.random, from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
