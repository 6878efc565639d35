// Bit arithmetic on tree sizes and indices. JavaScript's bitwise operators work on 32
// bits, and a log may pass 2^32 entries, so everything here is exact arithmetic on
// non-negative safe integers (< 2^53) instead.

const TWO_32 = 2 ** 32;

/** True for a number usable as a tree size or leaf index: an integer in [0, 2^53). */
export function isTreeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Number of bits needed to write n (0 for 0). */
export function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO_32));
}

/** The k of RFC 6962: the largest power of two strictly smaller than n (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/** The largest power of two ≤ n (n ≥ 1). */
export function largestPowerOfTwoAtMost(n: number): number {
  return 2 ** (bitLength(n) - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoAtMost(n) === n;
}

/** The largest power of two dividing n (n ≥ 1). */
export function lowestSetBit(n: number): number {
  let bit = 1;
  while (n % (bit * 2) === 0) bit *= 2;
  return bit;
}

export function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

export const isOdd = (n: number): boolean => n % 2 === 1;
export const half = (n: number): number => Math.floor(n / 2);
