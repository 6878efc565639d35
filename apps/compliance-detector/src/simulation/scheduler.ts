/**
 * The simulator's clock: actions run in time order (ties in the order they were scheduled).
 * A binary heap, so thousands of agents' next actions cost log n each.
 */
export class Scheduler {
  private heap: { atMs: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  nowMs = 0;

  at(atMs: number, run: () => void): void {
    const item = { atMs: Math.max(Math.round(atMs), this.nowMs), seq: this.seq++, run };
    this.heap.push(item);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.heap[i], this.heap[parent])) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent], this.heap[i]];
      i = parent;
    }
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.nowMs + delayMs, run);
  }

  /** Runs the next action; false when none is left before `untilMs`. */
  step(untilMs: number): boolean {
    const top = this.heap[0];
    if (!top || top.atMs >= untilMs) return false;
    const last = this.heap.pop() as (typeof this.heap)[number];
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.before(this.heap[l], this.heap[m])) m = l;
        if (r < this.heap.length && this.before(this.heap[r], this.heap[m])) m = r;
        if (m === i) break;
        [this.heap[i], this.heap[m]] = [this.heap[m], this.heap[i]];
        i = m;
      }
    }
    this.nowMs = top.atMs;
    top.run();
    return true;
  }

  private before(a: { atMs: number; seq: number }, b: { atMs: number; seq: number }): boolean {
    return a.atMs !== b.atMs ? a.atMs < b.atMs : a.seq < b.seq;
  }
}
