import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

interface Layer {
  price: number;
  qty: number;
  /** How the order ends: cancelled (default), expired, or partly filled then cancelled. */
  end?: 'cancel' | 'expire';
  filled?: number;
  amends?: number;
}

/** Quotes 100.00 / 100.10; account L layers SELL orders above the ask, buys 200 while they rest, then they end. */
function layering(layers: Layer[], options: { opposite?: number } = {}): OrderStream {
  const s = new OrderStream();
  s.newOrder(0, 'BID', { accountId: 'MM', side: 'BUY', price: 100.0, quantity: 100 });
  s.newOrder(1, 'ASK', { accountId: 'MM', side: 'SELL', price: 100.1, quantity: 100 });
  let t = 1000;
  layers.forEach((l, i) => s.newOrder((t += 100), `L${i}`, { accountId: 'L', side: 'SELL', price: l.price, quantity: l.qty }));
  layers.forEach((l, i) => {
    for (let a = 0; a < (l.amends ?? 0); a++) s.amend((t += 10), `L${i}`, { accountId: 'L', side: 'SELL', price: l.price, quantity: l.qty });
  });
  if ((options.opposite ?? 200) > 0) s.fill((t += 100), 'LB', 'TB', { accountId: 'L', side: 'BUY', fillQty: options.opposite ?? 200, fillPrice: 100.1, leavesQty: 0 });
  layers.forEach((l, i) => {
    if (l.filled) s.fill((t += 100), `L${i}`, `TF${i}`, { accountId: 'L', side: 'SELL', fillQty: l.filled, fillPrice: l.price, leavesQty: l.qty - l.filled });
  });
  layers.forEach((l, i) => s.cancel((t += 100), `L${i}`, { accountId: 'L', side: 'SELL', ...(l.end === 'expire' ? { eventType: 'EXPIRE' as const } : {}) }));
  return s;
}

const layers = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'LAYERING');
const three = (qty: number, extra: Partial<Layer> = {}): Layer[] => [100.11, 100.12, 100.13].map((price) => ({ price, qty, ...extra }));

describe('LAYERING', () => {
  it('alerts on 3 layers of 5 × the reference size within 10 ticks, an opposite fill, all cancelled', () => {
    const [alert, ...rest] = layers(layering(three(500)));
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ accountId: 'L', ruleId: 'layering', score: 1, threshold: 0.8 });
    expect(alert.evidence).toEqual({
      orderIds: ['L0', 'L1', 'L2', 'LB'],
      tradeIds: ['TB'],
      metrics: { layerOrders: 3, priceLevels: 3, layerQuantity: 1500, typicalQuantity: 100, cancelledShare: 1, filledShare: 0, oppositeFilledQuantity: 200 },
    });
    expect(alert.summary).toMatch(/^Account L rested 3 SELL orders of 1500 in all at 3 price levels near the touch on GB00B03MLX29 at XLON \(typical size 100\), bought 200 meanwhile, and cancelled 100\.0 %/);
  });

  it('keeps an order the same order however often it is amended', () => {
    expect(layers(layering(three(500, { amends: 20 }))).map((a) => a.evidence.metrics['layerOrders'])).toEqual([3]);
  });

  it('alerts at exactly 80 % cancelled (600 + 600 cancelled, 300 expired), the three together ≥ 10 × the median', () => {
    const result = layers(layering([{ price: 100.11, qty: 600 }, { price: 100.12, qty: 600 }, { price: 100.13, qty: 300, end: 'expire' }]));
    expect(result.map((a) => a.score)).toEqual([0.8]);
  });

  it.each<[string, Layer[], { opposite?: number }]>([
    ['79.9 % cancelled', [{ price: 100.11, qty: 600 }, { price: 100.12, qty: 600 }, { price: 100.13, qty: 301, end: 'expire' }], {}],
    ['10.2 % filled', three(500).map((l, i) => (i === 0 ? { ...l, filled: 153 } : l)), {}],
    ['2 orders', three(500).slice(0, 2), {}],
    ['3 orders at 2 price levels', [{ price: 100.11, qty: 500 }, { price: 100.12, qty: 500 }, { price: 100.12, qty: 500 }], {}],
    ['a third order 11 ticks from the touch', [{ price: 100.11, qty: 500 }, { price: 100.12, qty: 500 }, { price: 100.21, qty: 500 }], {}],
    ['orders together under 10 × the median (3 × 300)', three(300), {}],
    ['no fill on the other side', three(500), { opposite: 0 }],
  ])('does not alert for %s', (_name, l, options) => {
    expect(layers(layering(l, options))).toEqual([]);
  });

  describe('the median when an amendment forms the layers after a quiet spell', () => {
    // 100 orders of 10 set the median; L rests three orders of 20 (not large); later it amends them to 200 each, buys, cancels.
    const quietThenAmended = (amendAtMs: number) => {
      const s = new OrderStream();
      s.newOrder(0, 'BID', { accountId: 'MM', side: 'BUY', price: 100.0, quantity: 10 });
      s.newOrder(1, 'ASK', { accountId: 'MM', side: 'SELL', price: 100.1, quantity: 10 });
      for (let i = 0; i < 100; i++) s.newOrder(10 + i, `O${i}`, { accountId: 'OTHER', side: 'BUY', price: 99, quantity: 10 });
      for (let i = 0; i < 100; i++) s.cancel(200 + i, `O${i}`, { accountId: 'OTHER', side: 'BUY' });
      [100.11, 100.12, 100.13].forEach((price, i) => s.newOrder(1_000 + i, `L${i}`, { accountId: 'L', side: 'SELL', price, quantity: 20 }));
      [100.11, 100.12, 100.13].forEach((price, i) => s.amend(amendAtMs + i, `L${i}`, { accountId: 'L', side: 'SELL', price, quantity: 200 }));
      s.fill(amendAtMs + 1_000, 'LB', 'TB', { accountId: 'L', side: 'BUY', fillQty: 100, fillPrice: 100.1, leavesQty: 0 });
      [0, 1, 2].forEach((i) => s.cancel(amendAtMs + 2_000 + i, `L${i}`, { accountId: 'L', side: 'SELL' }));
      return s;
    };

    it('compares with the median of the last 30 min: 3 × 200 are 20 × a median of 10 two minutes later', () => {
      expect(layers(quietThenAmended(120_000)).map((a) => a.evidence.metrics['typicalQuantity'])).toEqual([10]);
    });

    it('does not count NEW sizes older than 30 min (bug: the stale median of 10 made 3 × 200 layers 40 min later; the reference 100 applies)', () => {
      expect(layers(quietThenAmended(40 * 60_000))).toEqual([]);
    });
  });
});
