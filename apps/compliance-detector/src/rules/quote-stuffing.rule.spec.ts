import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

const stuffing = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'QUOTE_STUFFING');

/** `orders` NEW 5 ms apart, `amends` AMENDs of the last orders, CANCEL of the first `cancels` orders `lifetime` ms after their NEW. */
function burst({ orders, amends, cancels, lifetime, lifetimeOf }: { orders: number; amends: number; cancels: number; lifetime?: number; lifetimeOf?: (i: number) => number }): OrderStream {
  const s = new OrderStream();
  for (let i = 0; i < orders; i++) s.newOrder(i * 5, `O${i}`);
  for (let i = 0; i < amends; i++) s.amend(orders * 5 + i, `O${orders - 1 - i}`);
  // Cancels sorted by time so the last message of the burst is a cancel.
  const cancelAt = Array.from({ length: cancels }, (_, i) => ({ i, at: i * 5 + (lifetimeOf ? lifetimeOf(i) : (lifetime ?? 10)) }));
  const lastAmend = orders * 5 + amends;
  for (const { i, at } of cancelAt.sort((a, b) => a.at - b.at)) s.cancel(Math.max(at, i === cancels - 1 ? lastAmend + 1 : at), `O${i}`);
  return s;
}

describe('QUOTE_STUFFING', () => {
  it('alerts at exactly 100 messages, 90 % cancelled and a 50 ms median lifetime', () => {
    const s = burst({ orders: 50, amends: 5, cancels: 45, lifetimeOf: (i) => (i === 44 ? 300 : 50) });
    const [alert, ...rest] = stuffing(s);
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ ruleId: 'quote-stuffing', severity: 'HIGH', score: 100, threshold: 100 });
    expect(alert.evidence.metrics).toEqual({ messages: 100, orders: 50, cancelledOrders: 45, cancelledShare: 0.9, medianLifetimeMs: 50, windowMs: 1000 });
    expect(alert.summary).toMatch(/^Account ACC-1 sent 100 order messages on GB00B03MLX29 at XLON within 1000 ms to .* and cancelled 45 of its 50 orders \(90\.0 %\) after a median 50 ms/);
  });

  it('does not alert with 99 messages', () => {
    expect(stuffing(burst({ orders: 50, amends: 4, cancels: 45, lifetime: 20 }))).toEqual([]);
  });

  it('does not alert with 88 % of the orders cancelled', () => {
    expect(stuffing(burst({ orders: 50, amends: 6, cancels: 44, lifetime: 20 }))).toEqual([]);
  });

  it('takes the median over the cancelled orders only: 51 ms is too slow', () => {
    expect(stuffing(burst({ orders: 50, amends: 5, cancels: 45, lifetime: 51 }))).toEqual([]);
    expect(stuffing(burst({ orders: 50, amends: 5, cancels: 45, lifetime: 49 }))).toHaveLength(1);
  });

  it('counts only the messages within 1 s', () => {
    const s = new OrderStream();
    // 100 messages spread over 2 s: never 100 within 1 s.
    for (let i = 0; i < 50; i++) {
      s.newOrder(i * 40, `O${i}`);
      s.cancel(i * 40 + 10, `O${i}`);
    }
    expect(stuffing(s)).toEqual([]);
  });
});
