import { RbacPolicy, type AuthzSubject } from './rbac-policy';

// The shipped policy against a table written by hand from the policy's intent (README,
// "Roles"), not derived from the engine or from the file's wildcards: a change to the
// file that changes who may do what must change this table too.
const CATALOGUE: Record<string, string[]> = {
  secrets: ['read', 'write', 'delete', 'rotate'],
  transit: ['encrypt', 'decrypt', 'rewrap'],
  keys: ['read', 'rotate'],
  users: ['read', 'write'],
  roles: ['read', 'write'],
  sessions: ['read', 'revoke'],
  rules: ['read', 'write'],
  alerts: ['read', 'acknowledge', 'escalate', 'resolve', 'assign', 'note'],
  incidents: ['read', 'acknowledge', 'escalate', 'resolve', 'assign', 'note'],
  silences: ['read', 'write'],
  audit: ['read', 'export', 'verify'],
  reports: ['read', 'generate', 'export'],
  orders: ['publish'],
  metrics: ['read'],
};
const ALL = Object.entries(CATALOGUE).flatMap(([resource, actions]) => actions.map((action) => `${resource}:${action}`));
const ALERT_WORK = ['alerts:read', 'alerts:acknowledge', 'alerts:escalate', 'alerts:resolve', 'alerts:assign', 'alerts:note'];
const INCIDENT_WORK = ['incidents:read', 'incidents:acknowledge', 'incidents:escalate', 'incidents:resolve', 'incidents:assign', 'incidents:note'];
const COMPLIANCE_OFFICER = [...ALERT_WORK, 'silences:read', 'silences:write', 'rules:read', 'reports:read', 'reports:generate', 'audit:read', 'metrics:read'];

const EXPECTED: Record<string, string[]> = {
  admin: ALL.filter((p) => !['orders:publish', 'transit:encrypt', 'transit:decrypt', 'transit:rewrap'].includes(p)),
  'security-officer': [
    ...INCIDENT_WORK, 'alerts:read', 'silences:read', 'silences:write', 'users:read', 'users:write', 'roles:read', 'sessions:read', 'sessions:revoke',
    'keys:read', 'keys:rotate', 'secrets:rotate', 'audit:read', 'audit:export', 'audit:verify', 'metrics:read',
  ],
  'compliance-officer': COMPLIANCE_OFFICER,
  'compliance-admin': [...COMPLIANCE_OFFICER, 'rules:write', 'reports:export', 'audit:export'],
  auditor: [
    'keys:read', 'users:read', 'roles:read', 'sessions:read', 'rules:read', 'alerts:read', 'incidents:read', 'silences:read', 'audit:read', 'reports:read', 'metrics:read',
    'audit:verify', 'audit:export', 'reports:export',
  ],
  sre: ['metrics:read', 'alerts:read', 'incidents:read', 'incidents:acknowledge', 'incidents:note', 'silences:read', 'silences:write', 'rules:read', 'keys:read', 'audit:verify'],
  'svc-auth-gateway': ['secrets:read', 'transit:encrypt', 'transit:decrypt'],
  'svc-vault': [],
  'svc-compliance-detector': ['secrets:read', 'rules:read'],
  'svc-alerter': ['secrets:read'],
  'svc-audit-writer': ['secrets:read'],
  'svc-reporter': ['secrets:read', 'audit:read', 'audit:verify'],
  'order-publisher': ['orders:publish'],
};
const SENSITIVE = ['secrets:write', 'secrets:delete', 'secrets:rotate', 'keys:rotate', 'roles:write', 'users:write', 'sessions:revoke', 'rules:write', 'reports:export', 'audit:export', 'silences:write'];

const NOW = Date.parse('2026-03-02T14:30:00Z');
const fresh = (roles: string[]): AuthzSubject => ({ roles, authTime: NOW / 1000 - 10, amr: ['pwd', 'otp'] });
const stale = (roles: string[], ageSec = 301): AuthzSubject => ({ roles, authTime: NOW / 1000 - ageSec, amr: ['pwd', 'otp'] });

describe('the shipped RBAC policy', () => {
  const policy = RbacPolicy.load();

  it('has the catalogue and the roles the table expects', () => {
    expect([...policy.permissions].sort()).toEqual([...ALL].sort());
    expect([...policy.roleNames].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(policy.version).toBe(1);
    expect(policy.stepUpMaxAgeSec).toBe(300);
  });

  const matrix = Object.keys(EXPECTED).flatMap((role) => ALL.map((permission) => [role, permission, EXPECTED[role].includes(permission)] as const));
  it.each(matrix)('%s × %s → allowed %s', (role, permission, allowed) => {
    const decision = policy.authorize(fresh([role]), permission, { now: NOW, durationSec: 600 });
    expect(decision).toMatchObject({ allowed, permission });
    expect(decision.stepUpRequired).toBeUndefined();
    expect(decision.reason).toEqual(expect.any(String));
  });

  it('marks exactly the sensitive actions', () => {
    expect(ALL.filter((p) => policy.isSensitive(p))).toEqual(expect.arrayContaining(SENSITIVE));
    expect(ALL.filter((p) => policy.isSensitive(p)).sort()).toEqual([...SENSITIVE].sort());
  });

  const sensitiveGrants = Object.keys(EXPECTED).flatMap((role) => EXPECTED[role].filter((p) => SENSITIVE.includes(p)).map((p) => [role, p] as const));
  it.each(sensitiveGrants)('%s × %s needs step-up: refused after 301 s or without MFA, allowed at 300 s', (role, permission) => {
    expect(policy.authorize(stale([role]), permission, { now: NOW })).toMatchObject({ allowed: false, stepUpRequired: true, stepUpMaxAgeSec: 300, reason: expect.stringMatching(/^step-up required/) });
    expect(policy.authorize({ roles: [role], authTime: NOW / 1000, amr: ['pwd'] }, permission, { now: NOW })).toMatchObject({ allowed: false, stepUpRequired: true, reason: expect.stringContaining('no MFA check') });
    expect(policy.authorize(stale([role], 300), permission, { now: NOW })).toMatchObject({ allowed: true });
  });

  it('does not ask for step-up on an ordinary action of a stale session', () => {
    expect(policy.authorize(stale(['compliance-officer'], 86_400), 'alerts:acknowledge', { now: NOW })).toMatchObject({ allowed: true });
  });

  it('asks for step-up on a silence over 4 hours, or of unknown length, and not on a short one', () => {
    const officer = stale(['compliance-officer']);
    expect(policy.authorize(officer, 'silences:write', { now: NOW, durationSec: 14_400 })).toMatchObject({ allowed: true });
    expect(policy.authorize(officer, 'silences:write', { now: NOW, durationSec: 14_401 })).toMatchObject({ allowed: false, stepUpRequired: true });
    expect(policy.authorize(officer, 'silences:write', { now: NOW })).toMatchObject({ allowed: false, stepUpRequired: true });
  });

  it('never asks for step-up on a denied action (the denial comes first)', () => {
    const decision = policy.authorize(stale(['sre']), 'secrets:write', { now: NOW });
    expect(decision).toMatchObject({ allowed: false, reason: 'denied by sre: deny secrets:*' });
    expect(decision.stepUpRequired).toBeUndefined();
  });

  describe('inheritance', () => {
    it('compliance-admin gets compliance-officer rules, and the decision says through which role', () => {
      expect(policy.authorize(fresh(['compliance-admin']), 'alerts:assign', { now: NOW })).toEqual({
        allowed: true,
        permission: 'alerts:assign',
        matchedRule: { effect: 'allow', pattern: 'alerts:*', definedIn: 'compliance-officer', via: 'compliance-admin' },
        reason: 'allowed by compliance-officer (inherited by compliance-admin): allow alerts:*',
      });
    });

    it('compliance-officer does not get what only compliance-admin adds', () => {
      expect(policy.authorize(fresh(['compliance-officer']), 'rules:write', { now: NOW })).toMatchObject({ allowed: false, reason: 'no role grants rules:write' });
    });
  });

  describe('deny overrides allow', () => {
    it('within a role: auditor reads everything except secrets', () => {
      expect(policy.authorize(fresh(['auditor']), 'secrets:read', { now: NOW })).toMatchObject({
        allowed: false,
        matchedRule: { effect: 'deny', pattern: 'secrets:read', definedIn: 'auditor' },
        reason: 'denied by auditor: deny secrets:read',
      });
    });

    it("across roles: one role's deny beats another's allow, in either order", () => {
      for (const roles of [['admin', 'sre'], ['sre', 'admin']]) {
        expect(policy.authorize(fresh(roles), 'secrets:read', { now: NOW })).toMatchObject({ allowed: false, matchedRule: { effect: 'deny', pattern: 'secrets:*', definedIn: 'sre' } });
      }
      expect(policy.authorize(fresh(['svc-reporter', 'auditor']), 'secrets:read', { now: NOW })).toMatchObject({ allowed: false });
    });

    it('admin cannot publish orders or use transit despite *:*', () => {
      expect(policy.authorize(fresh(['admin']), 'orders:publish', { now: NOW })).toMatchObject({ allowed: false, reason: 'denied by admin: deny orders:publish' });
      expect(policy.authorize(fresh(['admin']), 'transit:decrypt', { now: NOW })).toMatchObject({ allowed: false, matchedRule: { pattern: 'transit:*' } });
    });
  });

  describe('what grants nothing', () => {
    it.each<[string, string[]]>([
      ['an unknown role', ['superuser']],
      ['no role', []],
      ['a role name in another case', ['Admin']],
    ])('%s is denied', (_what, roles) => {
      expect(policy.authorize(fresh(roles), 'metrics:read', { now: NOW })).toMatchObject({ allowed: false, reason: expect.stringMatching(/^no known role/) });
    });

    it('an unknown role next to a known one changes nothing', () => {
      expect(policy.authorize(fresh(['superuser', 'sre']), 'metrics:read', { now: NOW })).toMatchObject({ allowed: true });
      expect(policy.authorize(fresh(['superuser', 'sre']), 'users:write', { now: NOW })).toMatchObject({ allowed: false });
    });

    it.each(['secrets:*', '*:*', 'secrets:launch', 'nuclear:launch', 'secrets', ''])('a request for %j (not a catalogued permission) is denied', (permission) => {
      expect(policy.authorize(fresh(['admin']), permission, { now: NOW })).toMatchObject({ allowed: false, reason: expect.stringMatching(/^unknown permission/) });
    });

    it('inherited prototype names are not roles', () => {
      expect(policy.authorize(fresh(['constructor', 'toString', '__proto__']), 'metrics:read', { now: NOW })).toMatchObject({ allowed: false });
    });
  });
});
