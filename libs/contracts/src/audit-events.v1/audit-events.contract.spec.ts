import { exampleAuditEvent, violationOf } from '../testing';
import { auditEventsContract as contract } from './audit-events.contract';
import { ACTOR_TYPES, AUDIT_OUTCOMES } from './audit-event.type';

const event = (patch: Record<string, unknown> = {}) => ({ ...exampleAuditEvent(), ...patch });
const withDetails = (details: unknown) => event({ details });

describe('audit.events.v1 contract', () => {
  it.each(ACTOR_TYPES.flatMap((actorType) => AUDIT_OUTCOMES.map((outcome) => [actorType, outcome] as const)))(
    'accepts a %s actor with outcome %s',
    (actorType, outcome) => {
      const input = exampleAuditEvent({ actor: { type: actorType, id: 'x' }, outcome, reason: outcome === 'denied' ? 'missing role' : undefined });
      expect(contract.parse(input)).toEqual(input);
    },
  );

  it('accepts a minimal event without reason, traceId or details', () => {
    const input = exampleAuditEvent({ traceId: undefined, details: undefined, actor: { type: 'system', id: 'scheduler' } });
    expect(contract.parse(input)).toEqual(input);
  });

  it.each(['auth.login', 'secrets.read', 'alerts.acknowledge', 'auth.mfa_check', 'keys.rotate-all', 'reports.stor.export'])(
    'accepts the action %s',
    (action) => expect(contract.parse(event({ action })).action).toBe(action),
  );

  it('accepts IPv6 actor addresses and nested, harmless details', () => {
    const input = exampleAuditEvent({
      actor: { type: 'user', id: 'alice', roles: ['analyst'], ip: '2001:db8::1' },
      details: { tokenId: 'jti-1', secretPath: 'db/audit-writer', passwordChanged: true, password: null, attempts: [1, 2], nested: { ok: true } },
    });
    expect(contract.parse(input)).toEqual(input);
  });

  it('drops undefined entries from details, as JSON would', () => {
    expect(contract.parse(withDetails({ a: 1, b: undefined })).details).toEqual({ a: 1 });
  });

  it('keys events by service', () => {
    expect(contract.keyOf(contract.parse(exampleAuditEvent({ service: 'auth-gateway' })))).toBe('auth-gateway');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['missing eventId', event({ eventId: undefined }), 'eventId', /^is required$/],
    ['unparsable ts', event({ ts: '02/03/2026' }), 'ts', /RFC 3339/],
    ['missing service', event({ service: undefined }), 'service', /^is required$/],
    ['missing actor', event({ actor: undefined }), 'actor', /^is required$/],
    ['actor as a string', event({ actor: 'alice' }), 'actor', /must be an object \(got string\)/],
    ['unknown actor type', event({ actor: { type: 'robot', id: 'r2' } }), 'actor.type', /must be one of user, service, system \(got "robot"\)/],
    ['actor without id', event({ actor: { type: 'user' } }), 'actor.id', /^is required$/],
    ['roles as a string', event({ actor: { type: 'user', id: 'a', roles: 'admin' } }), 'actor.roles', /must be an array \(got string\)/],
    ['an empty role', event({ actor: { type: 'user', id: 'a', roles: ['admin', ''] } }), 'actor.roles.1', /must not be empty/],
    ['an invalid ip', event({ actor: { type: 'user', id: 'a', ip: '999.1.1.1' } }), 'actor.ip', /must be an IPv4 or IPv6 address/],
    ['an undotted action', event({ action: 'login' }), 'action', /dotted lowercase action/],
    ['an uppercase action', event({ action: 'Auth.Login' }), 'action', /dotted lowercase action/],
    ['an action with an empty segment', event({ action: 'auth..login' }), 'action', /dotted lowercase action/],
    ['missing resource', event({ resource: undefined }), 'resource', /^is required$/],
    ['unknown outcome', event({ outcome: 'ok' }), 'outcome', /must be one of allowed, denied, success, failure/],
    ['uppercase outcome', event({ outcome: 'DENIED' }), 'outcome', /must be one of/],
    ['details as a string', withDetails('{"a":1}'), 'details', /must be an object \(got string\)/],
    ['details as an array', withDetails([1]), 'details', /must be an object \(got array\)/],
    ['a password in details', withDetails({ password: 'hunter2' }), 'details.password', /named like a secret \(got string\); audit details never hold/],
    ['an apiKey in details', withDetails({ apiKey: 'abc' }), 'details.apiKey', /named like a secret/],
    ['an access_token in nested details', withDetails({ oauth: { access_token: 'abc' } }), 'details.oauth.access_token', /named like a secret/],
    ['a client secret inside an array', withDetails({ clients: [{ id: 'c1', client_secret: { v: 1 } }] }), 'details.clients.0.client_secret', /named like a secret \(got object\)/],
    ['an MFA code as a number', withDetails({ mfaCode: 123456 }), 'details.mfaCode', /named like a secret \(got number\)/],
    ['a JWT under an innocent key', withDetails({ header: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.sig' }), 'details.header', /looks like a JWT/],
    ['a PEM private key', withDetails({ pem: '-----BEGIN EC PRIVATE KEY-----\nMHc...' }), 'details.pem', /looks like a PEM private key/],
    ['a bearer token', withDetails({ auth: 'Bearer abcdefgh12345' }), 'details.auth', /looks like a bearer token/],
    ['a Date in details', withDetails({ at: new Date(0) }), 'details.at', /must be a JSON value \(got Date object\)/],
    ['a non-finite number in details', withDetails({ rate: Number.POSITIVE_INFINITY }), 'details.rate', /finite number \(got Infinity\)/],
    ['a function in details', withDetails({ f: () => 1 }), 'details.f', /must be a JSON value \(got function\)/],
  ])('rejects %s', (_name, input, field, problem) => {
    const violation = violationOf(contract, input);
    expect([violation.field, violation.problem]).toEqual([field, expect.stringMatching(problem)]);
  });

  it('never echoes the secret it rejects', () => {
    const violation = violationOf(contract, withDetails({ password: 'hunter2-correct-horse' }));
    expect(violation.message).not.toContain('hunter2');
  });

  it('rejects details nested deeper than 32 levels instead of recursing without end', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const violation = violationOf(contract, withDetails(deep));
    expect(violation.problem).toMatch(/nested too deeply/);
    expect(violation.field.startsWith('details.d.d.')).toBe(true);
  });
});
