import type { ComplianceAlert } from '@vigil/contracts';
import { accuracyOf, formatAccuracy, matches } from './accuracy';
import type { EpisodeLabel } from './labels';

const label = (over: Partial<EpisodeLabel> = {}): EpisodeLabel => ({
  id: 'ep-1',
  kind: 'MANIPULATION',
  type: 'SPOOFING',
  venue: 'XLON',
  instrument: 'VOD',
  accountId: 'ACC-1',
  start: '2026-03-02T16:00:00.000Z',
  end: '2026-03-02T16:00:03.000Z',
  description: '',
  ...over,
});

const alert = (over: Partial<ComplianceAlert> = {}): ComplianceAlert =>
  ({
    alertId: 'a',
    fingerprint: 'f',
    type: 'SPOOFING',
    severity: 'HIGH',
    ts: '2026-03-02T16:00:10.000Z',
    windowStart: '2026-03-02T16:00:00.500Z',
    windowEnd: '2026-03-02T16:00:02.000Z',
    venue: 'XLON',
    instrument: 'VOD',
    accountId: 'ACC-1',
    ruleId: 'spoofing',
    ruleVersion: 1,
    score: 3,
    threshold: 2.5,
    summary: 'x.',
    evidence: { orderIds: ['o'], tradeIds: [], metrics: {} },
    ...over,
  }) as ComplianceAlert;

describe('matching alerts to labels', () => {
  it('matches on type, place, account and overlapping event time (± 2 s)', () => {
    expect(matches(alert(), label())).toBe(true);
    expect(matches(alert({ windowStart: '2026-03-02T16:00:04.900Z', windowEnd: '2026-03-02T16:00:05.000Z' }), label())).toBe(true);
    expect(matches(alert({ windowStart: '2026-03-02T16:00:05.100Z', windowEnd: '2026-03-02T16:00:06.000Z' }), label())).toBe(false);
    expect(matches(alert({ type: 'LAYERING' }), label())).toBe(false);
    expect(matches(alert({ accountId: 'ACC-2' }), label())).toBe(false);
    expect(matches(alert({ instrument: 'BARC' }), label())).toBe(false);
    expect(matches(alert(), label({ kind: 'DECOY', decoy: 'FAT_FINGER_CANCEL' }))).toBe(false);
  });

  it("matches a wash trade by its beneficial owner when the alert names another of the owner's accounts", () => {
    const wash = label({ type: 'WASH_TRADE', beneficialOwnerId: 'OWN-1' });
    expect(matches(alert({ type: 'WASH_TRADE', accountId: 'ACC-9', beneficialOwnerId: 'OWN-1' }), wash)).toBe(true);
    expect(matches(alert({ type: 'WASH_TRADE', accountId: 'ACC-9', beneficialOwnerId: 'OWN-2' }), wash)).toBe(false);
  });

  it('counts precision over alerts and recall over labels, per type, and names false positives, misses and alerts on decoys', () => {
    const labels = [label(), label({ id: 'ep-2', accountId: 'ACC-2' }), label({ id: 'd', kind: 'DECOY', decoy: 'FAT_FINGER_CANCEL', type: undefined, accountId: 'ACC-D' })];
    const report = accuracyOf([alert(), alert({ fingerprint: 'g', accountId: 'ACC-D' })], labels);
    expect(report.byType.find((r) => r.type === 'SPOOFING')).toMatchObject({ labels: 2, alerts: 2, truePositives: 1, found: 1, precision: 0.5, recall: 0.5 });
    expect(report.byType.find((r) => r.type === 'LAYERING')).toMatchObject({ precision: 1, recall: 1 });
    expect(report.falsePositives.map((a) => a.accountId)).toEqual(['ACC-D']);
    expect(report.missed.map((l) => l.id)).toEqual(['ep-2']);
    expect(report.onDecoys.map((d) => d.decoy.id)).toEqual(['d']);
    expect(formatAccuracy(report)).toMatch(/^type +labels alerts +TP precision +recall\nSPOOFING +2 +2 +1 +0\.500 +0\.500$/m);
  });
});
