/**
 * Group commit for audit events: while one batch is on its way to Kafka, the events of
 * other operations wait and then go together in the next send, and each caller's promise
 * settles with the send that carried its event. Under concurrency the vault makes one
 * produce request (acks=all) per round trip instead of one per operation; a lone
 * operation is sent at once (nothing waits for a timer).
 *
 * A caller waits for the send in flight plus its own send, each bounded by the producer's
 * deadline; a failed send fails exactly the callers whose events it carried.
 */
export class GroupSender<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private inFlight = false;

  constructor(
    private readonly sendBatch: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  send(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.sendBatch(batch.map((p) => p.item));
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}
