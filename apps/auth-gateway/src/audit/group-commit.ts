/**
 * Group commit: items recorded while writes are in flight go out together in a following
 * write, and each caller's promise settles when the write holding its item is acknowledged
 * (or fails). At most `maxInFlight` writes at a time, each of at most `maxBatch` items. Under
 * load this turns N acknowledgements of one item into one of N, without any caller returning
 * before its own item is safe.
 */
export class GroupCommit<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;

  /**
   * `write` resolves when every item is safe, or with one entry per item (an error, or
   * undefined when that item is safe) when it could tell them apart.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<void | unknown[]>,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < (this.options.maxInFlight ?? 4)) {
      const batch = this.pending.splice(0, this.options.maxBatch ?? 500);
      this.inFlight++;
      this.write(batch.map((entry) => entry.item)).then(
        (errors) => {
          batch.forEach((entry, i) => (errors?.[i] === undefined ? entry.resolve() : entry.reject(errors[i])));
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      ).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}
