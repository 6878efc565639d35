import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { Principal } from '../token/principal.type';
import { expandPattern } from './permission';
import { PolicyError } from './policy-error';
import { policyFileSchema, type PolicyFile } from './policy.schema';

/** The policy shipped with libs/auth (copied next to the build output by the build target). */
export const DEFAULT_POLICY_FILE = path.resolve(__dirname, '../../policy/rbac-policy.yaml');

/** The rule that decided, as written in the policy. */
export interface MatchedRule {
  effect: 'allow' | 'deny';
  /** The pattern as written, e.g. `secrets:*`. */
  pattern: string;
  /** The role whose definition holds the rule. */
  definedIn: string;
  /** The caller's role through which it applied (definedIn itself, or a role inheriting it). */
  via: string;
}

export interface Decision {
  allowed: boolean;
  /** One sentence for logs and audit events. */
  reason: string;
  permission: string;
  matchedRule?: MatchedRule;
  /** The role allows it, but it is sensitive and the caller has no fresh MFA check. */
  stepUpRequired?: boolean;
  /** The MFA age limit that applied, when stepUpRequired. */
  stepUpMaxAgeSec?: number;
}

export interface AuthzContext {
  /** Epoch milliseconds; default Date.now(). */
  now?: number;
  /** For actions whose sensitivity depends on a duration (silences): the requested one. Unknown counts as long. */
  durationSec?: number;
}

export type AuthzSubject = Pick<Principal, 'roles' | 'authTime' | 'amr'>;

interface CompiledRole {
  allowed: ReadonlyMap<string, MatchedRule>;
  denied: ReadonlyMap<string, MatchedRule>;
}

/** amr values (RFC 8176) that show a second factor was checked. */
const MFA_METHODS = ['mfa', 'otp'];

/**
 * The RBAC policy, compiled: per role, the concrete permissions it is allowed and
 * denied (inheritance and wildcards resolved at load), so a decision is a few Map
 * lookups.
 */
export class RbacPolicy {
  readonly version: number;
  readonly stepUpMaxAgeSec: number;
  /** Every concrete permission of the catalogue. */
  readonly permissions: readonly string[];
  readonly roleNames: readonly string[];
  private readonly catalogue: ReadonlySet<string>;
  private readonly roles: ReadonlyMap<string, CompiledRole>;
  private readonly sensitive: ReadonlyMap<string, { whenDurationOverSec?: number }>;

  private constructor(file: PolicyFile) {
    this.version = file.version;
    this.stepUpMaxAgeSec = file.stepUp.maxAgeSec;
    this.permissions = Object.entries(file.resources).flatMap(([resource, actions]) => actions.map((action) => `${resource}:${action}`));
    this.catalogue = new Set(this.permissions);
    this.roleNames = Object.keys(file.roles);
    this.sensitive = new Map(file.stepUp.sensitive.map((entry) => (typeof entry === 'string' ? [entry, {}] : [entry.permission, { whenDurationOverSec: entry.whenDurationOverSec }])));
    this.roles = new Map(this.roleNames.map((role) => [role, compileRole(file, role, this.permissions)]));
  }

  /** Reads, validates and compiles a policy file (default: the one shipped with libs/auth). */
  static load(file: string = DEFAULT_POLICY_FILE): RbacPolicy {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new PolicyError(file, [{ path: '', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
    }
    return RbacPolicy.fromYaml(text, file);
  }

  static fromYaml(text: string, source = 'inline'): RbacPolicy {
    const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    if (document.errors.length > 0) throw new PolicyError(source, document.errors.map((e) => ({ path: '', message: `YAML: ${e.message}` })));
    return RbacPolicy.fromObject(document.toJS(), source);
  }

  static fromObject(value: unknown, source = 'inline'): RbacPolicy {
    const parsed = policyFileSchema.safeParse(value);
    if (!parsed.success) throw new PolicyError(source, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: issueMessage(i) })));
    return new RbacPolicy(parsed.data);
  }

  isSensitive(permission: string, context: AuthzContext = {}): boolean {
    const entry = this.sensitive.get(permission);
    if (!entry) return false;
    return entry.whenDurationOverSec === undefined || !(typeof context.durationSec === 'number' && context.durationSec <= entry.whenDurationOverSec);
  }

  /**
   * May this caller do this? Pure: the same inputs always give the same decision.
   * Denies win over allows across all the caller's roles; unknown roles grant nothing.
   */
  authorize(subject: AuthzSubject, permission: string, context: AuthzContext = {}): Decision {
    if (!this.catalogue.has(permission)) {
      return { allowed: false, permission, reason: `unknown permission ${JSON.stringify(permission)}: not in RBAC policy v${this.version}` };
    }
    let allow: MatchedRule | undefined;
    let known = 0;
    for (const roleName of subject.roles) {
      const role = this.roles.get(roleName);
      if (!role) continue;
      known += 1;
      const deny = role.denied.get(permission);
      if (deny) return { allowed: false, permission, matchedRule: deny, reason: `denied by ${describe(deny)}` };
      allow ??= role.allowed.get(permission);
    }
    if (!allow) {
      const reason = known === 0 ? `no known role (roles: ${subject.roles.join(', ') || 'none'})` : `no role grants ${permission}`;
      return { allowed: false, permission, reason };
    }
    if (this.isSensitive(permission, context)) {
      const now = context.now ?? Date.now();
      const ageSec = Math.floor(now / 1000) - subject.authTime;
      const mfa = subject.amr.some((method) => MFA_METHODS.includes(method));
      if (!mfa || ageSec > this.stepUpMaxAgeSec) {
        const why = mfa ? `the last MFA check was ${ageSec} s ago` : 'the session has no MFA check';
        return {
          allowed: false, permission, matchedRule: allow, stepUpRequired: true, stepUpMaxAgeSec: this.stepUpMaxAgeSec,
          reason: `step-up required: ${permission} needs an MFA check within the last ${this.stepUpMaxAgeSec} s; ${why}`,
        };
      }
    }
    return { allowed: true, permission, matchedRule: allow, reason: `allowed by ${describe(allow)}` };
  }
}

// zod reports a bad record key as "Invalid key in record" with the reason nested.
function issueMessage(issue: { message: string; code?: string; issues?: readonly { message: string }[] }): string {
  return issue.code === 'invalid_key' && issue.issues?.length ? `${issue.message}: ${issue.issues.map((i) => i.message).join('; ')}` : issue.message;
}

function describe(rule: MatchedRule): string {
  const where = rule.via === rule.definedIn ? rule.definedIn : `${rule.definedIn} (inherited by ${rule.via})`;
  return `${where}: ${rule.effect} ${rule.pattern}`;
}

/** A role's own rules and then its ancestors' (breadth first), first match kept per permission. */
function compileRole(file: PolicyFile, name: string, catalogue: readonly string[]): CompiledRole {
  const allowed = new Map<string, MatchedRule>();
  const denied = new Map<string, MatchedRule>();
  const order: string[] = [name];
  for (let i = 0; i < order.length; i += 1) {
    for (const parent of file.roles[order[i]].inherits) if (!order.includes(parent)) order.push(parent);
  }
  for (const definedIn of order) {
    const definition = file.roles[definedIn];
    for (const [effect, patterns, target] of [['allow', definition.allow, allowed], ['deny', definition.deny, denied]] as const) {
      for (const pattern of patterns) {
        for (const permission of expandPattern(pattern, catalogue)) {
          if (!target.has(permission)) target.set(permission, { effect, pattern, definedIn, via: name });
        }
      }
    }
  }
  return { allowed, denied };
}
