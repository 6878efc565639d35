import { complianceAlertsContract } from '@vigil/contracts';
import { noisy, OrderStream, runDetection } from '../test-support/rule-harness';

const MIN = 60_000;
const washAlerts = (stream: OrderStream, options: { flush?: boolean } = {}) =>
  runDetection(stream.events, options).filter((a) => a.type === 'WASH_TRADE');

describe('WASH_TRADE', () => {
  it('alerts on a trade between two accounts of one beneficial owner, with the evidence and a readable summary', () => {
    const s = new OrderStream();
    s.trade(2 * MIN, 'T1', { accountId: 'ACC-A', beneficialOwnerId: 'OWN-1', traderId: 'TR-1' }, { accountId: 'ACC-B', beneficialOwnerId: 'OWN-1' }, 250, 101.5);
    const [alert, ...rest] = washAlerts(s);
    expect(rest).toEqual([]);
    expect(complianceAlertsContract.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      type: 'WASH_TRADE',
      severity: 'HIGH',
      ruleId: 'wash-trade',
      ruleVersion: 1,
      venue: 'XLON',
      instrument: 'GB00B03MLX29',
      accountId: 'ACC-A', // the buy side's account
      traderId: 'TR-1',
      beneficialOwnerId: 'OWN-1',
      score: 1,
      threshold: 1,
      windowStart: '2026-03-02T14:02:00.000Z',
      windowEnd: '2026-03-02T14:02:00.000Z',
      evidence: { orderIds: ['T1-B', 'T1-S'], tradeIds: ['T1'], metrics: { trades: 1, quantity: 250, accounts: 2 } },
    });
    expect(alert.summary).toBe(
      'Beneficial owner OWN-1 was both buyer and seller in 1 trade(s) of 250 on GB00B03MLX29 at XLON between 2026-03-02T14:02:00.000Z and 2026-03-02T14:02:00.000Z (accounts ACC-A, ACC-B).',
    );
  });

  it('alerts on an account trading with itself', () => {
    const s = new OrderStream();
    s.trade(MIN, 'T1', { accountId: 'ACC-A' }, { accountId: 'ACC-A' });
    expect(washAlerts(s).map((a) => a.evidence.metrics)).toEqual([{ trades: 1, quantity: 100, accounts: 1 }]);
  });

  it('does not alert when the owners differ, even if the accounts share a trader', () => {
    const s = new OrderStream();
    s.trade(MIN, 'T1', { accountId: 'ACC-A', traderId: 'TR-1' }, { accountId: 'ACC-B', traderId: 'TR-1' });
    expect(washAlerts(s)).toEqual([]);
  });

  it('counts each trade once (two FILLs), and every wash trade of the bucket in one alert', () => {
    const s = new OrderStream();
    const same = { beneficialOwnerId: 'OWN-1' };
    s.trade(1 * MIN, 'T1', { accountId: 'A', ...same }, { accountId: 'B', ...same }, 100);
    s.trade(3 * MIN, 'T2', { accountId: 'B', ...same }, { accountId: 'A', ...same }, 200);
    s.trade(4 * MIN, 'T3', { accountId: 'A' }, { accountId: 'C' }, 999); // honest: another owner
    s.trade(9 * MIN + 59_999, 'T4', { accountId: 'A', ...same }, { accountId: 'A', ...same }, 300);
    const alerts = washAlerts(s);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].evidence).toEqual({
      orderIds: ['T1-B', 'T1-S', 'T2-B', 'T2-S', 'T4-B', 'T4-S'],
      tradeIds: ['T1', 'T2', 'T4'],
      metrics: { trades: 3, quantity: 600, accounts: 2 },
    });
    expect(alerts[0].windowEnd).toBe('2026-03-02T14:09:59.999Z');
  });

  it('aligns buckets to the clock: 14:09:59.999 and 14:10:00 are two findings with two fingerprints', () => {
    const s = new OrderStream();
    s.trade(9 * MIN + 59_999, 'T1', { accountId: 'A' }, { accountId: 'A' });
    s.trade(10 * MIN, 'T2', { accountId: 'A' }, { accountId: 'A' });
    const alerts = washAlerts(s);
    expect(alerts.map((a) => a.evidence.tradeIds)).toEqual([['T1'], ['T2']]);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(2);
  });

  it('waits for the bucket to end in event time before alerting (so the count is complete)', () => {
    const s = new OrderStream();
    s.trade(MIN, 'T1', { accountId: 'A' }, { accountId: 'A' });
    s.newOrder(10 * MIN + 1_000, 'LATER'); // watermark = 14:10:01 - 2 s: bucket 14:00-14:10 still open
    expect(washAlerts(s, { flush: false })).toEqual([]);
    s.newOrder(10 * MIN + 2_000, 'LATER-2'); // watermark reaches 14:10:00: the bucket closes
    expect(washAlerts(s, { flush: false })).toHaveLength(1);
  });

  it('gives the same fingerprints for the stream with duplicated events and reordering within the lateness', () => {
    const s = new OrderStream();
    for (let i = 0; i < 60; i++) {
      s.trade(i * 25_000, `T${i}`, { accountId: 'A' }, { accountId: i % 4 === 0 ? 'A' : 'Z' });
      s.newOrder(i * 25_000 + 700, `O${i}`, { accountId: 'M' });
    }
    const clean = washAlerts(s).map((a) => a.fingerprint).sort();
    expect(clean).toHaveLength(3);
    expect(runDetection(noisy(s.events), { batchSize: 7 }).filter((a) => a.type === 'WASH_TRADE').map((a) => a.fingerprint).sort()).toEqual(clean);
  });

  it('skips an event older than the watermark (too late) instead of reopening a closed bucket', () => {
    const s = new OrderStream();
    s.newOrder(20 * MIN, 'X');
    s.trade(MIN, 'T1', { accountId: 'A' }, { accountId: 'A' }); // 19 minutes late
    expect(runDetection(s.events, { batchSize: 1 }).filter((a) => a.type === 'WASH_TRADE')).toEqual([]);
  });
});
