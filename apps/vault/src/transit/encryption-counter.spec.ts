import { CounterStore, EncryptionCounter, EncryptionLimitReached } from './encryption-counter';

// The persisted counts, as Postgres would keep them.
class MemoryCounterStore implements CounterStore {
  readonly reserved = new Map<string, number>();
  calls = 0;
  async reserve(key: string, version: number, want: number, limit: number): Promise<number> {
    this.calls++;
    const id = `${key}@${version}`;
    const before = this.reserved.get(id) ?? 0;
    const after = Math.min(before + want, limit);
    this.reserved.set(id, after);
    return after - before;
  }
}

describe('EncryptionCounter', () => {
  it('reserves in blocks, so most encryptions need no round trip', async () => {
    const store = new MemoryCounterStore();
    const counter = new EncryptionCounter(store, 1_000_000, 100);
    for (let i = 0; i < 250; i++) await counter.take('k', 1, 1);
    expect(store.calls).toBe(3);
    expect(store.reserved.get('k@1')).toBe(300);
  });

  it('refuses the encryption that would pass the limit, all of a batch or none, and counts versions apart', async () => {
    const store = new MemoryCounterStore();
    const counter = new EncryptionCounter(store, 10, 4);
    await counter.take('k', 1, 8);
    await expect(counter.take('k', 1, 3)).rejects.toThrow(EncryptionLimitReached);
    await expect(counter.take('k', 1, 3)).rejects.toThrow(/transit key k v1 has reached its limit of 10 encryptions.*rotate/);
    await counter.take('k', 1, 2);
    await expect(counter.take('k', 1, 1)).rejects.toThrow(EncryptionLimitReached);
    expect(store.reserved.get('k@1')).toBe(10);
    await counter.take('k', 2, 10);
  });

  it('a new process (a fresh counter over the same store) continues from the persisted count', async () => {
    const store = new MemoryCounterStore();
    await new EncryptionCounter(store, 10, 6).take('k', 1, 1);
    const restarted = new EncryptionCounter(store, 10, 6);
    await restarted.take('k', 1, 4);
    await expect(restarted.take('k', 1, 1)).rejects.toThrow(EncryptionLimitReached);
  });

  it('concurrent takes never hand out more than the limit', async () => {
    const store = new MemoryCounterStore();
    const counter = new EncryptionCounter(store, 50, 7);
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => counter.take('k', 1, 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
  });
});
