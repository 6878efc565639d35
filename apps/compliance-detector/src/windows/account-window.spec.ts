import type { MarketOrderEvent } from '@vigil/contracts';
import { countOrdersFilledIn, emptyAccountWindow, recordInAccount, trimAccountWindow } from './account-window';

const fill = (orderId: string) => ({ eventType: 'FILL', orderId }) as MarketOrderEvent;

describe('countOrdersFilledIn', () => {
  it('counts the orders whose latest fill is in the window, as a walk over every order would, through re-fills and trims', () => {
    const window = emptyAccountWindow();
    const latest = new Map<string, number>();
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let ms = 0; ms < 20_000; ms += 1 + random(20)) {
      const orderId = `O${random(300)}`; // many orders fill several times
      recordInAccount(window, fill(orderId), ms);
      latest.set(orderId, ms);
      if (ms % 7 === 0) {
        trimAccountWindow(window, ms - 12_000);
        for (const [id, at] of latest) if (window.trimmedToMs !== undefined && at <= window.trimmedToMs) latest.delete(id);
      }
      const windowMs = 1 + random(10_000);
      const brute = [...latest.values()].filter((at) => at > ms - windowMs && at <= ms).length;
      expect(countOrdersFilledIn(window, ms, windowMs)).toBe(brute);
    }
  });

  it('rebuilds its sorted fill times from state saved before they were kept', () => {
    const window = { ...emptyAccountWindow(), lastFillMs: { A: 5, B: 1, C: 9 } };
    expect(countOrdersFilledIn(window, 9, 5)).toBe(2); // A at 5, C at 9
    recordInAccount(window, fill('B'), 10);
    expect(countOrdersFilledIn(window, 10, 2)).toBe(2); // C at 9, B at 10
  });
});
