import { GroupCommit } from './group-commit';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('batches what arrives while writes are in flight, settles each caller with its own batch, and fails only the failed batch', async () => {
    const writes: number[][] = [];
    const releases: Array<(error?: Error) => void> = [];
    const group = new GroupCommit<number>((items) => {
      writes.push(items);
      return new Promise<void>((resolve, reject) => releases.push((error) => (error ? reject(error) : resolve())));
    }, { maxInFlight: 1 });
    const first = group.add(1);
    const rest = [group.add(2), group.add(3), group.add(4)];
    expect(writes).toEqual([[1]]); // 2, 3, 4 wait for the write in flight
    let firstDone = false;
    void first.then(() => (firstDone = true));
    releases[0]();
    await first;
    await settled();
    expect(firstDone).toBe(true);
    expect(writes).toEqual([[1], [2, 3, 4]]);
    releases[1](new Error('broker down'));
    for (const p of rest) await expect(p).rejects.toThrow('broker down');
    await settled();
    // The next item goes out on its own write.
    const later = group.add(5);
    expect(writes.at(-1)).toEqual([5]);
    releases[2]();
    await expect(later).resolves.toBeUndefined();
  });

  it('keeps up to maxInFlight writes going and caps a batch at maxBatch', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void writes.push(items), { maxInFlight: 2, maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.add(n)));
    expect(writes.flat().sort()).toEqual([1, 2, 3, 4, 5]);
    expect(Math.max(...writes.map((w) => w.length))).toBeLessThanOrEqual(2);
  });

  it('settles each item with its own outcome when the write tells them apart', async () => {
    const group = new GroupCommit<number>(async (items) => items.map((n) => (n % 2 ? undefined : new Error(`bad ${n}`))), { maxInFlight: 1 });
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => group.add(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
