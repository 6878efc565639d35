import type { AuditActor } from '@vigil/contracts';

/** The permissions of the RBAC policy (libs/auth/policy) the vault checks. */
export type VaultPermission =
  | 'secrets:read'
  | 'secrets:write'
  | 'secrets:delete'
  | 'secrets:rotate'
  | 'transit:encrypt'
  | 'transit:decrypt'
  | 'transit:rewrap'
  | 'keys:read'
  | 'keys:rotate';

export interface AccessRequest {
  permission: VaultPermission;
  /** The secret path, for the per-service path rule. */
  secretPath?: string;
  /**
   * The vault's own rule on top of the RBAC policy: a person reading a secret *value* needs
   * a fresh MFA check too (services have no MFA; the path rule bounds them).
   */
  personNeedsStepUp?: boolean;
}

/** The caller's request as the policy sees it: its headers (the bearer token) and address. */
export interface AccessCredentials {
  authorization?: string;
  ip?: string;
}

export type AccessDecision =
  | { allowed: true; actor: AuditActor }
  | { allowed: false; actor: AuditActor; status: 401 | 403; code: 'unauthorized' | 'forbidden' | 'step_up_required'; reason: string };

/**
 * The one place the vault asks "may this caller do this?" (a port). Today: TokenAccessPolicy
 * (libs/auth token verification and RBAC policy, plus the vault's own per-service path
 * rule). When libs/auth's @RequirePermission guard lands, the RBAC half moves to the guard
 * and this port keeps only the path rule: one provider changes, the controllers do not.
 */
export abstract class AccessPolicy {
  abstract check(credentials: AccessCredentials, request: AccessRequest): Promise<AccessDecision>;
}
