import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

const T = 10_000; // the bait's placement, ms after the stream's start

interface Case {
  baitQty?: number;
  baitPrice?: number;
  cancelAfter?: number | null;
  baitFilled?: number;
  oppositeQty?: number | null;
  oppositeAfterCancel?: number;
  priorOrders?: { count: number; qty: number };
}

/** A quoted market (bid 100.00, ask 100.10), then account S's SELL bait and its BUY fill. */
function scenario(c: Case = {}): OrderStream {
  const s = new OrderStream();
  let t = 0;
  for (let i = 0; i < (c.priorOrders?.count ?? 0); i++) s.newOrder((t += 1), `P${i}`, { accountId: 'MM', side: 'BUY', price: 99, quantity: c.priorOrders?.qty ?? 100 });
  s.newOrder(T - 2000, 'BID', { accountId: 'MM', side: 'BUY', price: 100.0, quantity: 100 });
  s.newOrder(T - 1000, 'ASK', { accountId: 'MM', side: 'SELL', price: 100.1, quantity: 100 });
  s.newOrder(T, 'BAIT', { accountId: 'S', side: 'SELL', price: c.baitPrice ?? 100.15, quantity: c.baitQty ?? 500 });
  if (c.baitFilled) s.fill(T + 500, 'BAIT', 'TB', { accountId: 'S', side: 'SELL', fillQty: c.baitFilled, fillPrice: 100.15, leavesQty: (c.baitQty ?? 500) - c.baitFilled });
  const cancelAt = c.cancelAfter === undefined ? 5_000 : c.cancelAfter;
  if (c.oppositeQty !== null) {
    const at = c.oppositeAfterCancel !== undefined && cancelAt !== null ? T + cancelAt + c.oppositeAfterCancel : T + 1_000;
    s.fill(at, 'BUY-1', 'TX', { accountId: 'S', side: 'BUY', fillQty: c.oppositeQty ?? 200, fillPrice: 100.1, leavesQty: 0 });
  }
  if (cancelAt !== null) s.cancel(T + cancelAt, 'BAIT', { accountId: 'S', side: 'SELL' });
  s.events.sort((a, b) => a.ts.localeCompare(b.ts));
  return s;
}

const spoofs = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'SPOOFING');

describe('SPOOFING', () => {
  it('alerts when every condition is met exactly: 5 × the reference size, cancelled at 5 s, 2.5 × the opposite fill', () => {
    const [alert, ...rest] = spoofs(scenario());
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ accountId: 'S', ruleId: 'spoofing', severity: 'HIGH', score: 2.5, threshold: 2.5 });
    expect(alert.evidence).toEqual({
      orderIds: ['BAIT', 'BUY-1'],
      tradeIds: ['TX'],
      metrics: {
        baitQuantity: 500,
        typicalQuantity: 100,
        sizeMultiple: 5,
        ticksFromTouch: expect.closeTo(0.05, 9),
        cancelDelayMs: 5000,
        filledQuantity: 0,
        cancelledQuantity: 500,
        oppositeFilledQuantity: 200,
        cancelledToFilled: 2.5,
      },
    });
    expect(alert.summary).toMatch(/^Account S placed a SELL order BAIT of 500 on GB00B03MLX29 at XLON \(5 × the typical 100\) at 100\.15, cancelled 500 of it 5000 ms later at .*, and bought 200 meanwhile/);
  });

  it.each<[string, Case]>([
    ['a bait of 499 (under 5 × the reference)', { baitQty: 499 }],
    ['a bait 6 ticks from the best ask', { baitPrice: 100.16 }],
    ['a cancel 5001 ms after placement', { cancelAfter: 5_001 }],
    ['a bait never cancelled (a large order that rests)', { cancelAfter: null }],
    ['a bait 10.2 % filled', { baitFilled: 51 }],
    ['no fill on the opposite side (a fat-finger cancel)', { oppositeQty: null }],
    ['an opposite fill 2001 ms after the cancel', { oppositeAfterCancel: 2_001 }],
    ['an opposite fill of 201 (500 < 2.5 × 201)', { oppositeQty: 201 }],
    ['a bait of 500 once 100 orders of 200 make the median 200', { priorOrders: { count: 100, qty: 200 } }],
  ])('does not alert for %s', (_name, c) => {
    expect(spoofs(scenario(c))).toEqual([]);
  });

  it.each<[string, Case, number]>([
    ['a bait exactly 10 % filled (450 cancelled ≥ 2.5 × 180)', { baitFilled: 50, oppositeQty: 180 }, 2.5],
    ['an opposite fill 2000 ms after the cancel', { oppositeAfterCancel: 2_000 }, 2.5],
    ['a bait exactly 5 ticks from the best ask', { baitPrice: 100.15 }, 2.5],
    ['the reference size while fewer than 100 orders were seen', { priorOrders: { count: 97, qty: 200 } }, 2.5],
  ])('alerts for %s', (_name, c, score) => {
    expect(spoofs(scenario(c)).map((a) => a.score)).toEqual([score]);
  });
});
