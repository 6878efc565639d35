import { HttpStatus, Injectable } from '@nestjs/common';
import type { AuditActor } from '@vigil/contracts';
import type { Request } from 'express';
import { VaultAudit } from '../audit/vault-audit';
import { VaultKeyring } from '../keyring/vault-keyring';
import { VaultError } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { AccessPolicy, type VaultPermission } from './access-policy';

/** Who is calling, for the audit events of the operation that follows. */
export interface Caller {
  actor: AuditActor;
  traceId?: string;
}

export interface GateRequest {
  /** The audit action, e.g. `secrets.read`. */
  action: string;
  resource: string;
  permission: VaultPermission;
  secretPath?: string;
  personNeedsStepUp?: boolean;
  /** A verified caller who is this principal passes even without the permission (their own lease). */
  owner?: { type: string; id: string };
}

/**
 * In front of every operation: sealed → 503; then the AccessPolicy; a denial is audited
 * (fail closed: an unauditable denial is still a 503) and answered 401/403.
 */
@Injectable()
export class VaultGate {
  constructor(
    private readonly keyring: VaultKeyring,
    private readonly policy: AccessPolicy,
    private readonly audit: VaultAudit,
    private readonly metrics: VaultMetrics,
  ) {}

  async enter(req: Request, gate: GateRequest): Promise<Caller> {
    try {
      this.keyring.assertUnsealed();
    } catch (error) {
      this.metrics.operations.inc({ operation: gate.action, outcome: 'sealed' });
      throw error;
    }
    const traceId = traceIdOf(req);
    const decision = await this.policy.check({ authorization: req.headers.authorization, ip: req.ip ?? req.socket?.remoteAddress }, { permission: gate.permission, secretPath: gate.secretPath, personNeedsStepUp: gate.personNeedsStepUp });
    if (decision.allowed) return { actor: decision.actor, traceId };
    const verified = decision.code !== 'unauthorized';
    if (verified && gate.owner && decision.actor.type === gate.owner.type && decision.actor.id === gate.owner.id) return { actor: decision.actor, traceId };
    await this.audit.record({ actor: decision.actor, action: gate.action, resource: gate.resource, outcome: 'denied', reason: decision.reason, traceId, details: { permission: gate.permission } });
    this.metrics.operations.inc({ operation: gate.action, outcome: 'denied' });
    const status = decision.status === 401 ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN;
    throw new VaultError(status, decision.code, decision.reason);
  }
}

function traceIdOf(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id ?? req.headers['x-request-id'];
  return typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id) ? id : undefined;
}
