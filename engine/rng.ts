// Seeded pseudo-random numbers for everything in engine/ and models/ (never the unseeded global one):
// the same seed gives the same initial weights, shuffles and dropout masks on every machine.
// sfc32 (Chris Doty-Humphrey's Small Fast Counter): 128-bit state, passes PractRand, fast in JS.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
  /** The full state, to save and resume a sequence. */
  state(): [number, number, number, number];
}

export function createRng(seed: number, resume?: readonly [number, number, number, number]): Rng {
  let a: number, b: number, c: number, d: number;
  if (resume) {
    [a, b, c, d] = resume;
  } else {
    // splitmix32 spreads any integer seed over the 128-bit state.
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    a = split(); b = split(); c = split(); d = split();
    for (let i = 0; i < 12; i++) nextUint();
  }
  function nextUint(): number {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  }
  let spare: number | null = null;
  const rng: Rng = {
    next: () => nextUint() / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * (nextUint() / 4294967296),
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = nextUint() / 4294967296;
      const v = nextUint() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor((nextUint() / 4294967296) * n),
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor((nextUint() / 4294967296) * (i + 1));
        const tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
      }
      return items;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
  return rng;
}
