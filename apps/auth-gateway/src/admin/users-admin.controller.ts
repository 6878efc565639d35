import { Body, ConflictException, Controller, Get, HttpCode, HttpException, HttpStatus, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RBAC_POLICY, RequirePermission, type Principal, type RbacPolicy } from '@vigil/auth';
import type { JsonObject } from '@vigil/contracts';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '../audit/audit-recorder';
import { BruteForceService } from '../brute-force/brute-force.service';
import { badRequest, stringField } from '../login/auth-errors';
import { BRUTE_FORCE } from '../login/login.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { checkPassword } from '../passwords/password-policy';
import { SessionGate } from '../sessions/session-gate';
import { AuthStore, type UserRow } from '../store/auth.store';

const USERNAME = /^[a-z][a-z0-9._-]{1,63}$/;

/**
 * Users, roles, locks and sessions. Reading needs users:read; every change needs its write
 * permission, which the policy marks sensitive (step-up within 5 minutes). The guard audits
 * the decision; each change is audited again with what it did.
 */
@ApiTags('admin')
@Controller('v1/admin/users')
export class UsersAdminController {
  constructor(
    private readonly store: AuthStore,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditRecorder,
    @Inject(BRUTE_FORCE) private readonly bruteForce: BruteForceService,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
    private readonly sessions: SessionGate,
  ) {}

  @Get()
  @RequirePermission('users:read', { resource: () => 'users' })
  async list() {
    return { users: await this.store.listUsers() };
  }

  /** A new user with an initial password (ASVS rules); they enrol MFA at their first login. */
  @Post()
  @HttpCode(201)
  @RequirePermission('users:write', { resource: () => 'users' })
  async create(@Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const username = stringField(body, 'username', 64);
    if (!USERNAME.test(username)) throw badRequest('username: 2-64 characters, lowercase letters, digits, ".", "_" or "-", starting with a letter');
    const check = checkPassword((body as Record<string, unknown>)['password'], username);
    if (!check.ok) throw badRequest(check.message ?? 'password: not acceptable');
    const roles = this.roles((body as Record<string, unknown>)['roles']);
    if (await this.store.findUserByName(username)) throw new ConflictException({ error: 'conflict', message: `username: "${username}" is taken` });
    const id = randomUUID();
    await this.store.createUser({ id, username, passwordHash: await this.hasher.hash((body as Record<string, string>)['password']), roles });
    await this.record(who, req, 'users.create', id, { username, roles });
    return { id, username, roles, mfaState: 'required' };
  }

  @Put(':id/roles')
  @RequirePermission('roles:write', { resource: (req) => `user:${(req as Request).params['id']}` })
  async setRoles(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const roles = this.roles((body as Record<string, unknown> | undefined)?.['roles']);
    const user = await this.user(id);
    await this.store.setRoles(id, roles);
    await this.record(who, req, 'users.roles.set', id, { before: user.roles, after: roles });
    return { id, roles };
  }

  /** Disabling ends every session of the user at once. */
  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission('users:write', { resource: (req) => `user:${(req as Request).params['id']}` })
  async disable(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    await this.user(id);
    await this.store.setDisabled(id, true);
    const sessionsRevoked = await this.sessions.revokeUserSessions(id, 'user_disabled');
    await this.record(who, req, 'users.disable', id, { sessionsRevoked });
    return { id, disabled: true, sessionsRevoked };
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermission('users:write', { resource: (req) => `user:${(req as Request).params['id']}` })
  async enable(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    await this.user(id);
    await this.store.setDisabled(id, false);
    await this.record(who, req, 'users.enable', id, {});
    return { id, disabled: false };
  }

  /** Lifts brute-force locks of the account (password and MFA). */
  @Post(':id/unlock')
  @HttpCode(200)
  @RequirePermission('users:write', { resource: (req) => `user:${(req as Request).params['id']}` })
  async unlock(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const user = await this.user(id);
    await this.bruteForce.unlock('login', `user:${user.username}`);
    await this.bruteForce.unlock('mfa', `user:${user.id}`);
    await this.record(who, req, 'users.unlock', id, {});
    return { id, unlocked: true };
  }

  @Post(':id/sessions/revoke')
  @HttpCode(200)
  @RequirePermission('sessions:revoke', { resource: (req) => `user:${(req as Request).params['id']}` })
  async revokeSessions(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    await this.user(id);
    const sessionsRevoked = await this.sessions.revokeUserSessions(id, 'admin_revoked');
    await this.record(who, req, 'sessions.revoke', id, { sessionsRevoked });
    return { id, sessionsRevoked };
  }

  private roles(value: unknown): string[] {
    if (!Array.isArray(value) || value.some((r) => typeof r !== 'string')) throw badRequest('roles: must be an array of role names');
    const unknown = value.filter((r) => !this.policy.roleNames.includes(r as string));
    if (unknown.length > 0) throw badRequest(`roles: unknown ${unknown.map((r) => `"${String(r)}"`).join(', ')} (defined: ${this.policy.roleNames.join(', ')})`);
    if (value.some((r) => (r as string).startsWith('svc-') || r === 'order-publisher')) {
      throw new HttpException({ error: 'bad_request', message: 'roles: service roles belong to service accounts, not users' }, HttpStatus.BAD_REQUEST);
    }
    return [...new Set(value as string[])];
  }

  private async user(id: string): Promise<UserRow> {
    const user = await this.store.findUser(id);
    if (!user) throw new NotFoundException({ error: 'not_found', message: `user ${id}: no such user` });
    return user;
  }

  private async record(who: Principal, req: Request, action: string, userId: string, details: JsonObject): Promise<void> {
    await this.audit.audit({ actor: { type: who.type, id: who.id, roles: [...who.roles], ...(req.ip ? { ip: req.ip } : {}) }, action, resource: `user:${userId}`, outcome: 'success', details });
  }
}
