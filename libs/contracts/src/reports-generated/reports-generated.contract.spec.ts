import { exampleReportGenerated, violationOf } from '../testing';
import { REPORT_TYPES } from './report-generated.type';
import { reportsGeneratedContract as contract } from './reports-generated.contract';

const report = (patch: Record<string, unknown> = {}) => ({ ...exampleReportGenerated(), ...patch });

describe('reports.generated contract (Vigil-internal)', () => {
  it.each(REPORT_TYPES)('accepts a %s report', (type) => {
    const input = exampleReportGenerated({ type, format: type === 'STOR' ? 'xml' : 'json' });
    expect(contract.parse(input)).toEqual(input);
  });

  it('keys reports by reportId', () => {
    expect(contract.keyOf(contract.parse(exampleReportGenerated({ reportId: 'r-1' })))).toBe('r-1');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing reportId', report({ reportId: undefined }), 'reportId', /^is required$/],
    ['unknown type', report({ type: 'MIFIR' }), 'type', /must be one of STOR, RTS9_OTR, INCIDENT_ATTESTATION, AUDIT_ATTESTATION/],
    ['unparsable periodStart', report({ periodStart: '2026-03' }), 'periodStart', /RFC 3339/],
    ['periodEnd before periodStart', report({ periodEnd: '2026-02-28T00:00:00Z' }), 'periodEnd', /must not be before periodStart/],
    ['missing generatedAt', report({ generatedAt: undefined }), 'generatedAt', /^is required$/],
    ['an uppercase format', report({ format: 'CSV' }), 'format', /lowercase format token/],
    ['a MIME type as format', report({ format: 'text/csv' }), 'format', /lowercase format token/],
    ['empty location', report({ location: '' }), 'location', /must not be empty/],
    ['uppercase sha256', report({ sha256: 'A'.repeat(64) }), 'sha256', /64 lowercase hex digits/],
    ['short sha256', report({ sha256: 'abc' }), 'sha256', /64 lowercase hex digits \(got a string of 3 characters\)/],
  ])('rejects %s', (_name, input, field, problem) => {
    const violation = violationOf(contract, input);
    expect([violation.field, violation.problem]).toEqual([field, expect.stringMatching(problem)]);
  });
});
