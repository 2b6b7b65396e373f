// A tiny seedable pseudo-random generator, so probabilistic fault rules give the same
// sequence of hits in every test run (Math.random cannot be seeded).

/** A source of uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/**
 * Returns mulberry32 seeded with `seed`: fast, 32-bit state, good enough spread for deciding
 * whether a request is faulted; not for anything cryptographic.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
