/**
 * Seeded pseudo-random numbers, identical on every machine and every JavaScript engine.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words, seeded by running SplitMix32 on the
 * seed. Only 32-bit integer arithmetic (`Math.imul`, shifts) is used, so results never depend on the platform.
 * Floats: `float()` takes the top 24 bits (exact float32 in [0, 1)), `double()` combines two outputs into 53 bits.
 * Normals: Box-Muller on two doubles (no caching, so each call consumes exactly two outputs).
 * We never use `Math.random`.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    // Fold a possibly large integer seed into 32 bits, keeping the high part.
    let x = (Math.floor(seed) >>> 0) ^ Math.floor(Math.abs(seed) / 4294967296);
    const next = () => {
      // SplitMix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float32-exact value in [0, 1). */
  float(): number {
    return (this.uint32() >>> 8) / 16777216;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  double(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.double();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n) || n > 4294967296) throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let v: number;
    do v = this.uint32();
    while (v >= limit);
    return v % n;
  }

  /** Standard normal N(0, 1) by Box-Muller. */
  normal(): number {
    let u = this.double();
    while (u === 0) u = this.double();
    const v = this.double();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Index drawn with probabilities proportional to `weights` (non-negative, positive sum). */
  weightedIndex(cumulative: ArrayLike<number>): number {
    const total = cumulative[cumulative.length - 1];
    const u = this.double() * total;
    for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]) return i;
    return cumulative.length - 1;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Derives an independent seed from a base seed and labels (e.g. `deriveSeed(seed, "data", offset)`), so that
 * separate streams (data, initialisation, shuffling) never share random numbers. FNV-1a over the labels' text.
 */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = labels.join("\u0001");
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.floor(seed / 4294967296) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
