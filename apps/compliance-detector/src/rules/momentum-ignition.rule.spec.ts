import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

interface Case {
  prices?: number[];
  gapMs?: number;
  unwindQty?: number;
  unwindAfterMs?: number;
  openingPrice?: number;
}

/** Last price 100.00; M buys 100 aggressively at each price, then sells to Y. */
function ignition(c: Case = {}): OrderStream {
  const s = new OrderStream();
  s.trade(0, 'T0', { accountId: 'X' }, { accountId: 'Z' }, 100, c.openingPrice ?? 100.0);
  const prices = c.prices ?? [100.01, 100.02, 100.03];
  const gap = c.gapMs ?? 2_500;
  prices.forEach((price, i) => s.trade(10_000 + i * gap, `R${i}`, { accountId: 'M', aggressor: true }, { accountId: 'MM', aggressor: false }, 100, price));
  const last = 10_000 + (prices.length - 1) * gap;
  s.trade(last + (c.unwindAfterMs ?? 30_000), 'U1', { accountId: 'Y', aggressor: true }, { accountId: 'M', aggressor: false }, c.unwindQty ?? 150, 100.03);
  return s;
}

const ignitions = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'MOMENTUM_IGNITION');

describe('MOMENTUM_IGNITION', () => {
  it('alerts at exactly 3 levels, 3 ticks within 5 s and 50 % unwound at 60 s', () => {
    const [alert, ...rest] = ignitions(ignition({ unwindAfterMs: 60_000 }));
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ accountId: 'M', ruleId: 'momentum-ignition', score: 0.5, threshold: 0.5 });
    expect(alert.evidence).toEqual({
      orderIds: ['R0-B', 'R1-B', 'R2-B', 'U1-S'],
      tradeIds: ['R0', 'R1', 'R2', 'U1'],
      metrics: { runQuantity: 300, priceLevels: 3, ticksMoved: 3, runMs: 5000, unwoundQuantity: 150, unwindShare: 0.5, unwindDelayMs: 60_000 },
    });
    expect(alert.summary).toMatch(/^Account M bought 300 aggressively on GB00B03MLX29 at XLON at 3 price levels in 5000 ms, moving the price 3 ticks from 100 to 100\.03, then sold 150 \(50\.0 %\)/);
  });

  it.each<[string, Case]>([
    ['2 price levels', { prices: [100.01, 100.03, 100.03] }],
    ['a 2-tick move', { openingPrice: 100.01 }],
    ['aggressive fills spread over 5.002 s', { gapMs: 2_501 }],
    ['an unwind of 149 (49.7 %)', { unwindQty: 149 }],
    ['an unwind 60.001 s after the last aggressive fill', { unwindAfterMs: 60_001 }],
  ])('does not alert for %s', (_name, c) => {
    expect(ignitions(ignition(c))).toEqual([]);
  });

  it('counts a dump that sweeps the book the other way as the unwind (bug: its third level started a SELL run and the BUY run was dropped unjudged)', () => {
    const s = new OrderStream();
    s.trade(0, 'T0', { accountId: 'X' }, { accountId: 'Z' }, 100, 100.0);
    [100.01, 100.02, 100.03].forEach((price, i) => s.trade(10_000 + i * 100, `R${i}`, { accountId: 'M', aggressor: true }, { accountId: 'MM', aggressor: false }, 1_000, price));
    // Ten seconds later M sells 500 at each of four bids, one order sweeping down 4 ticks: 1500 of the 3000 by the third level.
    [100.02, 100.01, 100.0, 99.99].forEach((price, i) => s.trade(20_000 + i, `D${i}`, { accountId: 'B', aggressor: false }, { accountId: 'M', aggressor: true }, 500, price));
    const [alert, ...rest] = ignitions(s);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ accountId: 'M', score: 0.5 });
    expect(alert.evidence.metrics).toMatchObject({ runQuantity: 3_000, unwoundQuantity: 1_500 });
    expect(alert.summary).toMatch(/^Account M bought 3000 aggressively .* then sold 1500 \(50\.0 %\)/);
  });
});
