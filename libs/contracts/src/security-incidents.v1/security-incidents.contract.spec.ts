import { exampleSecurityIncident, violationOf } from '../testing';
import { securityIncidentsContract as contract } from './security-incidents.contract';
import { INCIDENT_TYPES } from './security-incident.type';
import { SEVERITIES } from '../common/severity.constants';

const incident = (patch: Record<string, unknown> = {}) => ({ ...exampleSecurityIncident(), ...patch });

describe('security.incidents.v1 contract', () => {
  it.each(INCIDENT_TYPES.flatMap((type) => SEVERITIES.map((severity) => [type, severity] as const)))(
    'accepts a %s incident of severity %s',
    (type, severity) => {
      const input = exampleSecurityIncident({ type, severity });
      expect(contract.parse(input)).toEqual(input);
    },
  );

  it('accepts empty evidence and keys incidents by incidentId', () => {
    const parsed = contract.parse(exampleSecurityIncident({ incidentId: 'inc-7', evidence: {} }));
    expect(parsed.evidence).toEqual({});
    expect(contract.keyOf(parsed)).toBe('inc-7');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing incidentId', incident({ incidentId: undefined }), 'incidentId', /^is required$/],
    ['unparsable ts', incident({ ts: '2026-03-02T25:00:00Z' }), 'ts', /hour 25/],
    ['unknown type', incident({ type: 'DDOS' }), 'type', /must be one of BRUTE_FORCE, MFA_FAILURE_BURST, .*ANOMALOUS_ACCESS \(got "DDOS"\)/],
    ['lowercase severity', incident({ severity: 'high' }), 'severity', /must be one of LOW, MEDIUM, HIGH, CRITICAL \(got "high"\)/],
    ['missing subject', incident({ subject: undefined }), 'subject', /^is required$/],
    ['empty summary', incident({ summary: '' }), 'summary', /must not be empty/],
    ['missing evidence', incident({ evidence: undefined }), 'evidence', /^is required$/],
    ['null evidence', incident({ evidence: null }), 'evidence', /is required \(got null\)/],
    ['evidence as text', incident({ evidence: 'many logins' }), 'evidence', /must be an object \(got string\)/],
    ['a replayed token in evidence', incident({ evidence: { token: 'abc.def.ghi' } }), 'evidence.token', /named like a secret \(got string\); incident evidence never hold/],
    ['a JWT in evidence', incident({ evidence: { seen: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.sig'] } }), 'evidence.seen.0', /looks like a JWT/],
  ])('rejects %s', (_name, input, field, problem) => {
    const violation = violationOf(contract, input);
    expect([violation.field, violation.problem]).toEqual([field, expect.stringMatching(problem)]);
  });
});
