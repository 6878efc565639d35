import type { AuditActor } from '@vigil/contracts';
import { AuthError, type Principal, type RbacPolicy, type TokenVerifier } from '@vigil/auth';
import { isIP } from 'node:net';
import { AccessPolicy, type AccessCredentials, type AccessDecision, type AccessRequest } from './access-policy';
import { serviceOwnsPath } from './service-paths';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Bearer token verified by libs/auth, permission authorized by its RBAC policy (with step-up), then the per-service path rule. */
export class TokenAccessPolicy extends AccessPolicy {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly policy: RbacPolicy,
  ) {
    super();
  }

  async check(credentials: AccessCredentials, request: AccessRequest): Promise<AccessDecision> {
    const anonymous: AuditActor = withIp({ type: 'user', id: 'anonymous' }, credentials.ip);
    const match = credentials.authorization ? BEARER.exec(credentials.authorization) : null;
    if (!match) return { allowed: false, actor: anonymous, status: 401, code: 'unauthorized', reason: credentials.authorization ? 'the Authorization header is not "Bearer <token>"' : 'no Authorization: Bearer header' };
    let principal: Principal;
    try {
      principal = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof AuthError) return { allowed: false, actor: anonymous, status: 401, code: 'unauthorized', reason: `${error.code}: ${error.message}` };
      throw error;
    }
    const actor = withIp({ type: principal.type, id: principal.id, roles: [...principal.roles] }, credentials.ip);
    const decision = this.policy.authorize(principal, request.permission, { now: Date.now() });
    if (!decision.allowed) {
      return decision.stepUpRequired
        ? { allowed: false, actor, status: 401, code: 'step_up_required', reason: `${request.permission} needs a fresh MFA check: verify a one-time code and retry with the new token` }
        : { allowed: false, actor, status: 403, code: 'forbidden', reason: decision.reason };
    }
    if (request.personNeedsStepUp && principal.type === 'user' && !freshMfa(principal, this.policy.stepUpMaxAgeSec)) {
      return { allowed: false, actor, status: 401, code: 'step_up_required', reason: `reading a secret value needs a fresh MFA check (within ${this.policy.stepUpMaxAgeSec} s): verify a one-time code and retry with the new token` };
    }
    if (principal.type === 'service' && request.secretPath !== undefined && !serviceOwnsPath(principal.roles, request.secretPath)) {
      return { allowed: false, actor, status: 403, code: 'forbidden', reason: `service ${principal.id} may use only the secret paths naming its service` };
    }
    return { allowed: true, actor };
  }
}

// The same test libs/auth applies to its sensitive permissions: an MFA method in amr, authenticated recently enough.
function freshMfa(principal: Principal, maxAgeSec: number): boolean {
  return principal.amr.some((m) => m === 'mfa' || m === 'otp') && Math.floor(Date.now() / 1000) - principal.authTime <= maxAgeSec;
}

function withIp(actor: AuditActor, ip: string | undefined): AuditActor {
  return ip && isIP(ip) ? { ...actor, ip } : actor;
}
