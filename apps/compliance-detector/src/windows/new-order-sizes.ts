import { lowerBound, upperBound } from './sorted-numbers';

/**
 * NEW-order quantities of one instrument over a rolling window, kept twice: in time order
 * (to expire them) and sorted (so the median is a lookup, not a sort per order).
 */
export interface NewOrderSizes {
  /** [tsMs, quantity] in event-time order. */
  recent: [number, number][];
  sorted: number[];
  /** NEW orders ever seen on the instrument (the reference size applies until enough were seen). */
  seen: number;
}

export function emptyNewOrderSizes(): NewOrderSizes {
  return { recent: [], sorted: [], seen: 0 };
}

export function addNewOrderSize(sizes: NewOrderSizes, tsMs: number, quantity: number, windowMs: number): void {
  while (sizes.recent.length > 0 && sizes.recent[0][0] <= tsMs - windowMs) {
    const [, old] = sizes.recent.shift() as [number, number];
    // Equal sizes are interchangeable: taken from and put at the end of their run, which moves
    // the fewest elements (most orders share a handful of round sizes).
    sizes.sorted.splice(upperBound(sizes.sorted, old) - 1, 1);
  }
  sizes.recent.push([tsMs, quantity]);
  sizes.sorted.splice(upperBound(sizes.sorted, quantity), 0, quantity);
  sizes.seen += 1;
}

/** The median of the window, or undefined when it is empty. Called before the judged order is added, so it excludes it. */
export function medianNewOrderSize(sizes: NewOrderSizes, atMs: number, windowMs: number): number | undefined {
  // Sizes older than the window at atMs may still be stored (expiry happens on add): skip them.
  // `recent` is in event-time order, so the stale ones are a prefix: usually none (the judged
  // order is the next one added, which expires them), so the usual cost is one comparison.
  let staleCount = 0;
  while (staleCount < sizes.recent.length && sizes.recent[staleCount][0] <= atMs - windowMs) staleCount++;
  let values = sizes.sorted;
  if (staleCount > 0) {
    values = [...sizes.sorted];
    for (let i = 0; i < staleCount; i++) values.splice(lowerBound(values, sizes.recent[i][1]), 1);
  }
  if (values.length === 0) return undefined;
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
