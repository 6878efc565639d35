import { Body, ConflictException, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RBAC_POLICY, RequirePermission, type Principal, type RbacPolicy } from '@vigil/auth';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-recorder';
import { badRequest, stringField } from '../login/auth-errors';
import { PasswordHasher } from '../passwords/password-hasher';
import { AuthStore } from '../store/auth.store';

const CLIENT_ID = /^[a-z][a-z0-9-]{1,63}$/;

/**
 * Service accounts for the six services and trading platforms. The secret is 256 random bits,
 * generated here, answered once and stored as Argon2id; nobody can read it back.
 */
@ApiTags('admin')
@Controller('v1/admin/service-accounts')
export class ServiceAccountsAdminController {
  constructor(
    private readonly store: AuthStore,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditRecorder,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
  ) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('users:write', { resource: () => 'service-accounts' })
  async create(@Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const clientId = stringField(body, 'clientId', 64);
    if (!CLIENT_ID.test(clientId)) throw badRequest('clientId: 2-64 characters, lowercase letters, digits or "-", starting with a letter');
    const roles = (body as Record<string, unknown>)['roles'];
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !this.policy.roleNames.includes(r) || !(r.startsWith('svc-') || r === 'order-publisher'))) {
      throw badRequest('roles: one or more service roles of the policy (svc-<service> or order-publisher)');
    }
    if (await this.store.findServiceAccount(clientId)) throw new ConflictException({ error: 'conflict', message: `clientId: "${clientId}" exists` });
    const clientSecret = randomBytes(32).toString('base64url');
    await this.store.createServiceAccount({ clientId, secretHash: await this.hasher.hash(clientSecret), roles: [...new Set(roles as string[])] });
    await this.audit.audit({
      actor: { type: who.type, id: who.id, roles: [...who.roles], ...(req.ip ? { ip: req.ip } : {}) },
      action: 'service_accounts.create',
      resource: `client:${clientId}`,
      outcome: 'success',
      details: { roles: roles as string[] },
    });
    return { clientId, clientSecret, roles };
  }
}
