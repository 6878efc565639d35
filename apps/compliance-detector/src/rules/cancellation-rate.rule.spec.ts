import { complianceAlertsContract } from '@vigil/contracts';
import { OrderStream, runDetection } from '../test-support/rule-harness';

const MIN = 60_000;
const cancelRate = (s: OrderStream) => runDetection(s.events).filter((a) => a.type === 'CANCELLATION_RATE');

function stream(news: number, cancels: number, startMs = 0): OrderStream {
  const s = new OrderStream();
  for (let i = 0; i < news; i++) s.newOrder(startMs + i, `O${i}`);
  for (let i = 0; i < cancels; i++) s.cancel(startMs + news + i, `O${i}`);
  return s;
}

describe('CANCELLATION_RATE', () => {
  it('alerts at exactly 0.98 (196 cancels of 200 NEW), naming the measured rate and the threshold', () => {
    const [alert, ...rest] = cancelRate(stream(200, 196));
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ ruleId: 'cancellation-rate', score: 0.98, threshold: 0.98, accountId: 'ACC-1', windowStart: '2026-03-02T14:00:00.000Z' });
    expect(alert.evidence.metrics).toEqual({ cancelRatio: 0.98, cancels: 196, newOrders: 200, windowMs: 1_800_000 });
    expect(alert.summary).toBe(
      'Account ACC-1 cancelled 196 times against 200 new orders on GB00B03MLX29 at XLON in the 30 min to 2026-03-02T14:00:00.395Z: a cancellation rate of 98.0 %, at or above 98.0 %.',
    );
  });

  it('does not alert just below (195 of 200)', () => {
    expect(cancelRate(stream(200, 195))).toEqual([]);
  });

  it('needs 200 NEW orders in the window: 199 all cancelled is not enough', () => {
    expect(cancelRate(stream(199, 199))).toEqual([]);
  });

  it('can be crossed by a NEW that lifts the count to the floor', () => {
    const s = stream(199, 199);
    s.newOrder(1000, 'LAST'); // 199 / 200 = 0.995
    expect(cancelRate(s).map((a) => a.evidence.metrics)).toEqual([{ cancelRatio: 0.995, cancels: 199, newOrders: 200, windowMs: 1_800_000 }]);
  });

  it('forgets NEW orders older than 30 min', () => {
    const s = stream(100, 100);
    for (let i = 0; i < 100; i++) s.newOrder(31 * MIN + i, `P${i}`);
    for (let i = 0; i < 100; i++) s.cancel(31 * MIN + 200 + i, `P${i}`);
    expect(cancelRate(s)).toEqual([]);
  });

  it('raises one alert per 30-min bucket however long the behaviour lasts', () => {
    const s = stream(200, 200);
    for (let i = 0; i < 200; i++) s.newOrder(10 * MIN + i, `Q${i}`);
    for (let i = 0; i < 200; i++) s.cancel(10 * MIN + 300 + i, `Q${i}`);
    expect(cancelRate(s)).toHaveLength(1);
  });
});
