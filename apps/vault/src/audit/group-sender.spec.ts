import { GroupSender } from './group-sender';

// The sender is our own function: it records each batch and settles when told.
function recordingSender() {
  const batches: number[][] = [];
  const settle: Array<(error?: Error) => void> = [];
  const send = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      settle.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, settle, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupSender', () => {
  it('sends a lone item at once, and items arriving meanwhile together in the next send', async () => {
    const s = recordingSender();
    const group = new GroupSender(s.send);
    const first = group.send(1);
    await tick();
    expect(s.batches).toEqual([[1]]);
    const rest = [group.send(2), group.send(3), group.send(4)];
    await tick();
    expect(s.batches).toEqual([[1]]); // waiting for the send in flight
    s.settle[0]();
    await first;
    await tick();
    expect(s.batches).toEqual([[1], [2, 3, 4]]);
    s.settle[1]();
    await Promise.all(rest);
  });

  it('a failed send fails exactly the callers it carried; the next ones still go', async () => {
    const s = recordingSender();
    const group = new GroupSender(s.send);
    const a = group.send(1);
    const b = group.send(2);
    await tick();
    s.settle[0](new Error('broker gone'));
    await expect(a).rejects.toThrow('broker gone');
    await tick();
    expect(s.batches).toEqual([[1], [2]]);
    s.settle[1]();
    await expect(b).resolves.toBeUndefined();
  });

  it('caps a batch at maxBatch items', async () => {
    const s = recordingSender();
    const group = new GroupSender(s.send, 2);
    const all = [1, 2, 3, 4, 5].map((n) => group.send(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      s.settle[i]();
    }
    await Promise.all(all);
    expect(s.batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
