import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PolicyError } from './policy-error';
import { RbacPolicy } from './rbac-policy';

// A small valid policy; each case below breaks one thing and expects the error to name where.
const VALID = `
version: 3
stepUp:
  maxAgeSec: 120
  sensitive: [things:write]
resources:
  things: [read, write]
  other: [read]
roles:
  base:
    description: reads things
    allow: ['things:*']
    deny: [things:write]
  child:
    description: inherits base
    inherits: [base]
    allow: [things:write, other:read]
`;

function issuesOf(yaml: string): { path: string; message: string }[] {
  try {
    RbacPolicy.fromYaml(yaml, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return [...(error as PolicyError).issues];
  }
  throw new Error('the policy was accepted');
}

const replace = (from: string, to: string) => {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
};

describe('policy validation at load', () => {
  it('accepts the valid example', () => {
    const policy = RbacPolicy.fromYaml(VALID);
    expect(policy.version).toBe(3);
    expect(policy.permissions).toEqual(['things:read', 'things:write', 'other:read']);
  });

  it("applies an inherited deny over the heir's own allow (deny overrides allow through inheritance)", () => {
    const policy = RbacPolicy.fromYaml(VALID);
    const subject = { roles: ['child'], authTime: 1000, amr: ['otp'] };
    expect(policy.authorize(subject, 'things:write', { now: 1_000_000 })).toMatchObject({
      allowed: false,
      matchedRule: { effect: 'deny', pattern: 'things:write', definedIn: 'base', via: 'child' },
      reason: 'denied by base (inherited by child): deny things:write',
    });
    expect(policy.authorize(subject, 'other:read', { now: 1_000_000 })).toMatchObject({ allowed: true });
  });

  it.each<[string, string, string, RegExp]>([
    ['an unknown inherited role', replace('inherits: [base]', 'inherits: [bsae]'), 'roles.child.inherits.0', /unknown role "bsae" \(defined: base, child\)/],
    ['an inherited name from Object.prototype', replace('inherits: [base]', 'inherits: [constructor]'), 'roles.child.inherits.0', /unknown role "constructor"/],
    ['a cycle', replace("description: reads things\n", 'description: reads things\n    inherits: [child]\n'), 'roles.base.inherits', /inheritance cycle base -> child -> base/],
    ['a role inheriting itself', replace('inherits: [base]', 'inherits: [child]'), 'roles.child.inherits', /inheritance cycle child -> child/],
    ['a permission without an action', replace('other:read]', 'other]'), 'roles.child.allow.1', /must be resource:action/],
    ['a permission in capitals', replace('other:read]', 'Other:Read]'), 'roles.child.allow.1', /must be resource:action/],
    ['a permission with three parts', replace("deny: [things:write]", 'deny: [things:write:all]'), 'roles.base.deny.0', /must be resource:action/],
    ['a permission for an unknown resource', replace('other:read]', 'others:read]'), 'roles.child.allow.1', /others:read matches no permission in resources/],
    ['a wildcard that matches nothing', replace("allow: ['things:*']", "allow: ['*:delete']"), 'roles.base.allow.0', /\*:delete matches no permission/],
    ['a misspelt key', replace('    allow: [things:write, other:read]', '    alow: [things:write]'), 'roles.child', /alow/],
    ['a role without description', replace('    description: inherits base\n', ''), 'roles.child.description', /./],
    ['an upper-case role name', replace('  child:', '  Child:'), 'roles.Child', /lowercase role name/],
    ['a sensitive wildcard', replace('sensitive: [things:write]', "sensitive: ['things:*']"), 'stepUp.sensitive.0', /./],
    ['a sensitive permission not in resources', replace('sensitive: [things:write]', 'sensitive: [things:delete]'), 'stepUp.sensitive.0', /things:delete is not in resources/],
    ['a step-up age of a day', replace('maxAgeSec: 120', 'maxAgeSec: 86400'), 'stepUp.maxAgeSec', /./],
    ['version 0', replace('version: 3', 'version: 0'), 'version', /./],
    ['no version', replace('version: 3\n', ''), 'version', /./],
    ['a duplicate action', replace('things: [read, write]', 'things: [read, write, read]'), 'resources.things.2', /duplicate action read/],
  ])('%s: the error names %s', (_what, yaml, where, message) => {
    const issues = issuesOf(yaml);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: where, message: expect.stringMatching(message) })]));
  });

  it('refuses YAML that is not well formed or defines a role twice', () => {
    expect(issuesOf('version: 1\nroles: [unclosed')[0].message).toMatch(/^YAML:/);
    expect(issuesOf(VALID + '  base:\n    description: again\n')[0].message).toMatch(/^YAML: .*unique/i);
  });

  it('lists every problem at once and names the file in the message', () => {
    const broken = replace('inherits: [base]', 'inherits: [nope]').replace('other:read]', 'bad]');
    expect(() => RbacPolicy.fromYaml(broken, 'policy/x.yaml')).toThrow(/RBAC policy policy\/x\.yaml is invalid[\s\S]*roles\.child\.inherits\.0: unknown role "nope"/);
    expect(issuesOf(broken).length).toBeGreaterThanOrEqual(2);
  });

  it('names a file it cannot read', () => {
    const missing = path.join(os.tmpdir(), 'vigil-no-such-policy.yaml');
    expect(() => RbacPolicy.load(missing)).toThrow(new RegExp(`RBAC policy ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid[\\s\\S]*cannot be read \\(ENOENT\\)`));
  });

  it('loads a policy file from a given path', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-')), 'policy.yaml');
    fs.writeFileSync(file, VALID);
    expect(RbacPolicy.load(file).version).toBe(3);
  });
});
