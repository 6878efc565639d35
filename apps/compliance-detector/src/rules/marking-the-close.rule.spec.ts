import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

const MIN = 60_000;

interface Case {
  start?: string;
  venue?: string;
  lastPrice?: number;
  otherQty?: number;
  cSells?: boolean;
}

/** Account C's trading in the 5 min before the close: 200 of 500, price 100.00 → 100.02. */
function closing(c: Case = {}): OrderStream {
  const s = new OrderStream(Date.parse(c.start ?? '2026-03-02T16:25:00Z'), { venue: c.venue ?? 'XLON', instrument: 'GB00B03MLX29' });
  const [buyer, seller] = c.cSells ? ['X', 'C'] : ['C', 'X'];
  s.trade(0, 'T1', { accountId: buyer }, { accountId: seller }, 100, c.cSells ? 100.02 : 100.0);
  s.trade(1 * MIN, 'T2', { accountId: 'Y1' }, { accountId: 'Z1' }, 150, 100.01);
  s.trade(2 * MIN, 'T3', { accountId: buyer }, { accountId: seller }, 100, 100.02);
  s.trade(3 * MIN, 'T4', { accountId: 'Y2' }, { accountId: 'Z2' }, c.otherQty ?? 150, c.lastPrice ?? 100.02);
  return s;
}

const marking = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'MARKING_THE_CLOSE');

describe('MARKING_THE_CLOSE', () => {
  it('alerts at exactly 40 % of 500 with the price 2 ticks up while the account bought', () => {
    const [alert, ...rest] = marking(closing());
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ accountId: 'C', ruleId: 'marking-the-close', score: 0.4, threshold: 0.4 });
    expect(alert.evidence).toEqual({
      orderIds: ['T1-B', 'T3-B'],
      tradeIds: ['T1', 'T3'],
      metrics: { accountVolume: 200, totalVolume: 500, share: 0.4, netQuantity: 200, firstPrice: 100, lastPrice: 100.02, ticksMoved: 2 },
    });
    expect(alert.summary).toMatch(/^Account C traded 200 of the 500 executed on GB00B03MLX29 at XLON in the 5 min before the 2026-03-02T16:30:00.000Z close \(40\.0 %, net bought 200\) while the price moved 2 ticks from 100 to 100\.02/);
  });

  it.each<[string, Case]>([
    ['a 1-tick move', { lastPrice: 100.01 }],
    ['499 executed in all', { otherQty: 149 }],
    ['39.9 % of the volume', { otherQty: 151 }],
    ['a price moving against its net trading', { cSells: true }],
    ['trading after the close (16:30 London is 15:30 UTC in summer)', { start: '2026-07-01T16:25:00Z' }],
    ['a venue without a configured close', { venue: 'XPAR' }],
  ])('does not alert for %s', (_name, c) => {
    expect(marking(closing(c))).toEqual([]);
  });

  it('follows the venue clock: 15:25 UTC is the last 5 min of XLON in summer', () => {
    expect(marking(closing({ start: '2026-07-01T15:25:00Z' })).map((a) => a.windowEnd)).toEqual(['2026-07-01T15:27:00.000Z']);
  });

  it('counts each trade once, not once per FILL event', () => {
    // C trading 100 with itself: its volume and the total grow by 100 (not 200), its net not at all.
    const s = closing();
    s.trade(3 * MIN + 1000, 'T5', { accountId: 'C' }, { accountId: 'C' }, 100, 100.02);
    expect(marking(s).map((a) => a.evidence.metrics)).toEqual([expect.objectContaining({ accountVolume: 300, totalVolume: 600, netQuantity: 200, share: 0.5 })]);
  });
});
