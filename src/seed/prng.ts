/**
 * A small, fast, seedable PRNG for the seed dataset: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state, passes PractRand to multiple TB), seeded through splitmix32.
 * Math.random() is not seedable, and the dataset must be a pure function of (seed, customer id):
 * every customer gets its own generator from `Rng.forKey`, so generation order, chunk size and
 * the number of COPY connections never change the data.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    // Warm-up rounds decorrelate generators whose seeds differ in a few bits (consecutive ids).
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A generator for one (seed, key) pair, e.g. (dataset seed, customer id). */
  static forKey(seed: number, key: number, stream = 0): Rng {
    let s = splitmix32((seed | 0) ^ 0x9e3779b9);
    const lo = key >>> 0;
    const hi = Math.floor(key / 0x1_0000_0000) >>> 0;
    s = splitmix32(s ^ lo);
    const a = s;
    s = splitmix32(s ^ hi);
    const b = s;
    s = splitmix32(s ^ (stream >>> 0));
    const c = s;
    return new Rng(a, b, c, 1);
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** A decimal string with `decimals` places, uniform in [min, max]. */
  decimal(min: number, max: number, decimals: number): string {
    const scale = 10 ** decimals;
    const n = this.int(Math.round(min * scale), Math.round(max * scale));
    return (n / scale).toFixed(decimals);
  }
}

/** splitmix32 finaliser: a good 32-bit integer hash, used only for seeding. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Weighted choice with cumulative weights computed once (the tables are module constants). */
export class WeightedTable<T> {
  private readonly values: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [value: T, weight: number]>) {
    if (entries.length === 0) throw new Error('WeightedTable needs at least one entry');
    this.values = entries.map((e) => e[0]);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      if (!(weight >= 0)) throw new Error(`negative weight ${weight}`);
      sum += weight;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new Error('WeightedTable needs a positive total weight');
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (x < (c[i] as number)) return this.values[i] as T;
    return this.values[this.values.length - 1] as T;
  }

  /** Share of each value (weights normalised), for tests and reports. */
  shares(): Map<T, number> {
    const out = new Map<T, number>();
    let prev = 0;
    this.values.forEach((v, i) => {
      const c = this.cumulative[i] as number;
      out.set(v, (out.get(v) ?? 0) + (c - prev) / this.total);
      prev = c;
    });
    return out;
  }
}
