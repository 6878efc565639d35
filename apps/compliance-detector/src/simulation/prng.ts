/**
 * A small seeded PRNG (mulberry32): the same seed gives the same market on every machine,
 * which Math.random cannot.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A multiple of `step` in [min, max] (lot sizes). */
  lots(min: number, max: number, step = 10): number {
    return this.int(Math.ceil(min / step), Math.floor(max / step)) * step;
  }

  /** Exponential inter-arrival time with this mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A 4-hex-digit tag for account names (deterministic, meaningless). */
  tag(): string {
    return this.int(0, 0xffff).toString(16).toUpperCase().padStart(4, '0');
  }
}
