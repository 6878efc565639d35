import { exampleComplianceAlert, violationOf } from '../testing';
import { ALERT_TYPES } from './compliance-alert.type';
import { complianceAlertsContract as contract } from './compliance-alerts.contract';

const alert = (patch: Record<string, unknown> = {}) => ({ ...exampleComplianceAlert(), ...patch });
const without = (field: string) => {
  const value: Record<string, unknown> = alert();
  delete value[field];
  return value;
};

describe('compliance.alerts.v1 contract', () => {
  it.each(ALERT_TYPES)('accepts a %s alert', (type) => {
    const input = exampleComplianceAlert({ type });
    expect(contract.parse(input)).toEqual(input);
  });

  it('accepts an alert without the optional traderId and beneficialOwnerId, and with empty evidence lists', () => {
    const input = exampleComplianceAlert({
      traderId: undefined,
      evidence: { orderIds: [], tradeIds: [], metrics: {} },
    });
    expect(contract.parse(input)).toEqual(input);
  });

  it('accepts timestamps with an offset and a zero-length window', () => {
    const input = exampleComplianceAlert({ ts: '2026-03-02T15:31:00+01:00', windowStart: '2026-03-02T14:30:00Z', windowEnd: '2026-03-02T15:30:00+01:00' });
    expect(contract.parse(input)).toEqual(input);
  });

  it('keys alerts by fingerprint', () => {
    expect(contract.keyOf(contract.parse(exampleComplianceAlert({ fingerprint: 'fp-1' })))).toBe('fp-1');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing alertId', without('alertId'), 'alertId', /^is required$/],
    ['missing fingerprint', without('fingerprint'), 'fingerprint', /^is required$/],
    ['unknown type', alert({ type: 'INSIDER' }), 'type', /must be one of SPOOFING, LAYERING, .* \(got "INSIDER"\)/],
    ['unknown severity', alert({ severity: 'URGENT' }), 'severity', /must be one of LOW, MEDIUM, HIGH, CRITICAL/],
    ['unparsable ts', alert({ ts: 'now' }), 'ts', /RFC 3339/],
    ['windowStart on 31 June', alert({ windowStart: '2026-06-31T00:00:00Z' }), 'windowStart', /has no day 31/],
    ['windowEnd before windowStart', alert({ windowEnd: '2026-03-02T14:29:59Z' }), 'windowEnd', /must not be before windowStart/],
    ['missing accountId', without('accountId'), 'accountId', /^is required$/],
    ['empty venue', alert({ venue: '' }), 'venue', /must not be empty/],
    ['ruleVersion as a string', alert({ ruleVersion: '3' }), 'ruleVersion', /must be a number, not a number inside a string/],
    ['fractional ruleVersion', alert({ ruleVersion: 1.5 }), 'ruleVersion', /must be an integer \(got number\)/],
    ['negative ruleVersion', alert({ ruleVersion: -1 }), 'ruleVersion', /must be >= 0/],
    ['ruleVersion beyond an Avro int', alert({ ruleVersion: 2 ** 31 }), 'ruleVersion', /must be <= 2147483647/],
    ['score as a string', alert({ score: '0.9' }), 'score', /must be a number/],
    ['missing threshold', without('threshold'), 'threshold', /^is required$/],
    ['blank summary', alert({ summary: ' ' }), 'summary', /must not be blank/],
    ['missing evidence', without('evidence'), 'evidence', /^is required$/],
    ['evidence as a list', alert({ evidence: [] }), 'evidence', /must be an object \(got array\)/],
    ['evidence without orderIds', alert({ evidence: { tradeIds: [], metrics: {} } }), 'evidence.orderIds', /^is required$/],
    ['a numeric order id', alert({ evidence: { orderIds: ['A', 7], tradeIds: [], metrics: {} } }), 'evidence.orderIds.1', /must be a string \(got number\)/],
    ['tradeIds as a string', alert({ evidence: { orderIds: [], tradeIds: 'T1', metrics: {} } }), 'evidence.tradeIds', /must be an array \(got string\)/],
    ['a metric that is not a number', alert({ evidence: { orderIds: [], tradeIds: [], metrics: { ratio: 'high' } } }), 'evidence.metrics.ratio', /must be a number \(got string\)/],
    ['a non-finite metric', alert({ evidence: { orderIds: [], tradeIds: [], metrics: { ratio: Number.NaN } } }), 'evidence.metrics.ratio', /finite number/],
  ])('rejects %s', (_name, input, field, problem) => {
    const violation = violationOf(contract, input);
    expect([violation.field, violation.problem]).toEqual([field, expect.stringMatching(problem)]);
  });
});
