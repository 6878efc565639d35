// Binary searches over an ascending array of numbers, shared by the windows that keep sorted
// times and sizes (account-window.ts, new-order-sizes.ts).

/** First index with a value > x (where x would go after its equals). */
export function upperBound(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a value >= x (where x would go before its equals). */
export function lowerBound(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
