import { DenialWindow } from './denial-window';

describe('DenialWindow', () => {
  it('reports a burst once at the threshold within the window, per actor', () => {
    const w = new DenialWindow(5, 60_000);
    const results = [0, 1, 2, 3, 4, 5, 6].map((i) => w.add('service:alerter', 1000 + i * 1000, `secret:db/x${i}`));
    expect(results.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(results[4]).toEqual({ count: 5, windowMs: 60_000, resources: ['secret:db/x0', 'secret:db/x1', 'secret:db/x2', 'secret:db/x3', 'secret:db/x4'] });
    expect(results.slice(5)).toEqual([undefined, undefined]);
    expect(w.add('user:bob', 7000)).toBeUndefined();
  });

  it('does not count denials spread wider than the window', () => {
    const w = new DenialWindow(3, 10_000);
    expect([0, 6000, 12_000, 18_000, 24_000].map((t) => w.add('a', t))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('raises again for a new burst after the window emptied', () => {
    const w = new DenialWindow(2, 1000);
    expect(w.add('a', 0)).toBeUndefined();
    expect(w.add('a', 10)).toBeDefined();
    expect(w.add('a', 20)).toBeUndefined();
    expect(w.add('a', 5000)).toBeUndefined();
    expect(w.add('a', 5010)).toBeDefined();
  });
});
