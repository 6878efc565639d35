import { complianceAlertsContract } from '@vigil/contracts';
import { RuleBook } from '../config/rule-book';
import { OrderStream, runDetection } from '../test-support/rule-harness';

const MIN = 60_000;
const otr = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'ORDER_TO_TRADE_RATIO');

/**
 * 2 executed orders; weighted messages = 100 NEW + 98 CANCEL + 1 AMEND×2 = 200, plus what
 * `extra` adds (one more NEW+CANCEL pair = 202 → OTR exactly 202/2 − 1 = 100).
 */
function twoExecuted(extraPairs: number, extraNewOnly = 0): OrderStream {
  const s = new OrderStream();
  let t = 0;
  for (let i = 1; i <= 100; i++) s.newOrder((t += 10), `O${i}`);
  s.fill((t += 10), 'O1', 'T1');
  s.fill((t += 10), 'O2', 'T2');
  s.amend((t += 10), 'O3', { quantity: 50 });
  for (let i = 3; i <= 100; i++) s.cancel((t += 10), `O${i}`);
  for (let i = 0; i < extraPairs; i++) {
    s.newOrder((t += 10), `X${i}`);
    s.cancel((t += 10), `X${i}`);
  }
  for (let i = 0; i < extraNewOnly; i++) s.newOrder((t += 10), `Y${i}`);
  return s;
}

describe('ORDER_TO_TRADE_RATIO', () => {
  it('alerts at exactly OTR 100 (202 weighted messages, 2 executed orders), with measured values and thresholds', () => {
    const [alert, ...rest] = otr(twoExecuted(1));
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ accountId: 'ACC-1', ruleId: 'order-to-trade-ratio', ruleVersion: 1, severity: 'MEDIUM', score: 100, threshold: 100 });
    expect(alert.evidence.metrics).toEqual({
      orderToTradeRatio: 100,
      weightedMessages: 202,
      newOrders: 101,
      amendments: 1,
      cancels: 99,
      executedOrders: 2,
      windowMs: 1_800_000,
    });
    expect(alert.evidence.orderIds).toHaveLength(100); // capped
    expect(alert.summary).toMatch(/^Account ACC-1 sent 202 weighted order messages \(101 new, 1 amend, 99 cancel\) on GB00B03MLX29 at XLON for 2 executed order\(s\) in the 30 min to .*: an order-to-trade ratio of 100, at or above 100\.$/);
  });

  it('does not alert just below (201 weighted messages: OTR 99.5)', () => {
    expect(otr(twoExecuted(0, 1))).toEqual([]);
  });

  it('weighs AMEND 2 for the message floor: 198 NEW + 1 AMEND = 200 alerts, 199 NEW does not', () => {
    const at = new OrderStream();
    for (let i = 0; i < 198; i++) at.newOrder(i, `O${i}`);
    at.amend(500, 'O0');
    expect(otr(at).map((a) => a.evidence.metrics['weightedMessages'])).toEqual([200]);

    const below = new OrderStream();
    for (let i = 0; i < 199; i++) below.newOrder(i, `O${i}`);
    expect(otr(below)).toEqual([]);
  });

  it('counts an order as executed only when its fill is inside the window', () => {
    // 2 orders filled 31 min before the burst: outside the 30-min window, so executed = max(0, 1).
    const s = new OrderStream();
    s.newOrder(0, 'F1');
    s.newOrder(1, 'F2');
    s.fill(2, 'F1', 'T1');
    s.fill(3, 'F2', 'T2');
    for (let i = 0; i < 200; i++) s.newOrder(31 * MIN + i, `O${i}`);
    const [alert] = otr(s);
    expect(alert.evidence.metrics).toMatchObject({ executedOrders: 0, weightedMessages: 200, orderToTradeRatio: 199 });

    // The fills inside the window: executed 2, so the alert waits for the 202nd message (OTR 100).
    const inside = new OrderStream();
    inside.newOrder(0, 'F1');
    inside.newOrder(1, 'F2');
    inside.fill(2, 'F1', 'T1');
    inside.fill(3, 'F2', 'T2');
    for (let i = 0; i < 198; i++) inside.newOrder(10 + i, `O${i}`);
    expect(otr(inside)).toEqual([]); // 200 / 2 − 1 = 99
    inside.newOrder(300, 'P1');
    inside.newOrder(301, 'P2');
    expect(otr(inside).map((a) => a.evidence.metrics)).toEqual([expect.objectContaining({ executedOrders: 2, weightedMessages: 202, orderToTradeRatio: 100 })]);
  });

  it('rolls the window: messages older than 30 min drop out', () => {
    const s = new OrderStream();
    for (let i = 0; i < 150; i++) s.newOrder(i, `A${i}`);
    for (let i = 0; i < 150; i++) s.newOrder(30 * MIN + 150 + i, `B${i}`); // the first 150 are out of the window by then
    expect(otr(s)).toEqual([]);
  });

  it('takes its thresholds from the rule file (override for the venue)', () => {
    const book = RuleBook.from({
      version: 1,
      rules: [{ id: 'otr', version: 3, type: 'ORDER_TO_TRADE_RATIO', severity: 'LOW', parameters: { minMessages: 10 } }],
      overrides: [{ venue: 'XLON', rules: { otr: { severity: 'HIGH', parameters: { maxRatio: 4 } } } }],
    });
    const stream = (venue: string) => {
      const s = new OrderStream(Date.parse('2026-03-02T14:00:00Z'), { venue, instrument: 'GB00B03MLX29' });
      s.newOrder(0, 'O0');
      s.newOrder(1, 'O1');
      s.fill(2, 'O0', 'T1');
      s.fill(3, 'O1', 'T2');
      for (let i = 2; i < 10; i++) s.newOrder(10 + i, `O${i}`);
      return s.events;
    };
    const [alert, ...rest] = runDetection([...stream('XLON'), ...stream('XETR')], { book });
    expect(rest).toEqual([]); // XETR keeps maxRatio 100
    expect(alert).toMatchObject({ venue: 'XLON', ruleId: 'otr', ruleVersion: 3, severity: 'HIGH', score: 4, threshold: 4 });
  });
});
