/**
 * GCM with random 96-bit nonces stays within NIST SP 800-38D's collision bound only up to
 * 2^32 messages per key. Every transit encryption counts against its key version; the
 * count is persisted (reserved in blocks from Postgres, so a crash or a second replica
 * can only over-count, never under-count) and encryption stops at a limit well below
 * 2^32 (default 2^31), which forces a rotation.
 */
export const DEFAULT_ENCRYPTION_LIMIT = 2 ** 31;
export const DEFAULT_RESERVATION_BLOCK = 1000;

/** Persists reservations; reserve adds at most `want` to the version's count without passing `limit` and returns how many it added (0 when at the limit). */
export interface CounterStore {
  reserve(key: string, version: number, want: number, limit: number): Promise<number>;
}

/** The key version has used up its encryption budget: rotate the key. */
export class EncryptionLimitReached extends Error {
  constructor(
    readonly key: string,
    readonly version: number,
    readonly limit: number,
  ) {
    super(`transit key ${key} v${version} has reached its limit of ${limit} encryptions (GCM random-nonce safety); rotate the key (POST /v1/transit/keys/${key}/rotate) and retry`);
    this.name = 'EncryptionLimitReached';
  }
}

export class EncryptionCounter {
  // Per key version: how many of the reserved encryptions are still unused in this process.
  private readonly available = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly store: CounterStore,
    readonly limit = DEFAULT_ENCRYPTION_LIMIT,
    readonly block = DEFAULT_RESERVATION_BLOCK,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`encryption limit: must be a positive integer (got ${limit})`);
    if (!Number.isSafeInteger(block) || block < 1) throw new TypeError(`reservation block: must be a positive integer (got ${block})`);
  }

  /** Takes `count` encryptions of key@version, all or none; throws EncryptionLimitReached when the budget cannot cover them. */
  async take(key: string, version: number, count: number): Promise<void> {
    const id = `${key}\0${version}`;
    // One reservation at a time per key version, so concurrent batches do not over-reserve.
    for (;;) {
      const inFlight = this.pending.get(id);
      if (!inFlight) break;
      await inFlight;
    }
    const have = this.available.get(id) ?? 0;
    if (have >= count) {
      this.available.set(id, have - count);
      return;
    }
    const reservation = this.store.reserve(key, version, Math.max(this.block, count - have), this.limit);
    const done = reservation.then(
      () => undefined,
      () => undefined,
    );
    this.pending.set(id, done);
    try {
      const added = await reservation;
      const total = (this.available.get(id) ?? 0) + added;
      if (total < count) {
        // Keep what was reserved: smaller batches may still fit.
        this.available.set(id, total);
        throw new EncryptionLimitReached(key, version, this.limit);
      }
      this.available.set(id, total - count);
    } finally {
      this.pending.delete(id);
    }
  }
}
