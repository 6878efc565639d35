import { bitLength, isPowerOfTwo, isTreeInteger, largestPowerOfTwoBelow, lowestSetBit, popCount } from './tree-math';

// Checked against BigInt, beyond the 32 bits JavaScript's bitwise operators handle.
const samples = [1, 2, 3, 4, 5, 7, 8, 255, 256, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 52, 2 ** 53 - 1];

describe('tree math on sizes past 2^32', () => {
  it.each(samples)('%d', (n) => {
    const big = BigInt(n);
    expect(bitLength(n)).toBe(big.toString(2).length);
    expect(popCount(n)).toBe([...big.toString(2)].filter((bit) => bit === '1').length);
    expect(lowestSetBit(n)).toBe(Number(big & -big));
    expect(isPowerOfTwo(n)).toBe((big & (big - 1n)) === 0n);
    if (n >= 2) expect(largestPowerOfTwoBelow(n)).toBe(Number(1n << BigInt((big - 1n).toString(2).length - 1)));
  });

  it('bitLength(0) is 0', () => expect(bitLength(0)).toBe(0));

  it.each([-1, 1.5, NaN, Infinity, 2 ** 53, '3', 3n, null])('isTreeInteger(%p) is false', (value) => {
    expect(isTreeInteger(value)).toBe(false);
  });
});
