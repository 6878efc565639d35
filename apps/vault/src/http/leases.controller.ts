import { Body, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiGoneResponse, ApiNotFoundResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { VaultApi } from './vault-api.decorator';
import { VaultGate } from '../access/vault-gate';
import { LEASE_ID } from '../leases/lease.store';
import { LeaseService } from '../leases/lease.service';
import { badRequest } from '../vault.errors';
import { secretPath } from './secrets.controller';

const LEASE_BODY = { schema: { type: 'object', required: ['leaseId'], properties: { leaseId: { type: 'string', pattern: '^[0-9a-f]{32}$' } } } };

/** Leases handed out with secret reads: renewed by their holder, revoked by it or by an operator. */
@VaultApi('leases', 'v1/sys/leases')
export class LeasesController {
  constructor(
    private readonly gate: VaultGate,
    private readonly leases: LeaseService,
  ) {}

  @Post('renew')
  @HttpCode(200)
  @ApiOperation({ summary: "Extend the caller's lease by the lease TTL (never past its maximum lifetime); answers the secret's current version. Audited as leases.renew." })
  @ApiBody(LEASE_BODY)
  @ApiNotFoundResponse({ description: 'No such lease of this caller.' })
  @ApiGoneResponse({ description: "'lease_expired' or 'lease_revoked': read the secret again." })
  async renew(@Req() req: Request, @Body() body: { leaseId?: unknown }) {
    const id = leaseId(body);
    return this.leases.renew(await this.gate.enter(req, { action: 'leases.renew', permission: 'secrets:read', resource: `lease:${id}` }), id);
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a lease: its holder may (e.g. at shutdown); anyone else needs secrets:rotate (step-up). Audited as leases.revoke.' })
  @ApiBody(LEASE_BODY)
  async revoke(@Req() req: Request, @Body() body: { leaseId?: unknown }) {
    const id = leaseId(body);
    const holder = await this.leases.holder(id);
    const caller = await this.gate.enter(req, {
      action: 'leases.revoke',
      permission: 'secrets:rotate',
      resource: holder ? `secret:${holder.path}` : `lease:${id}`,
      owner: holder && { type: holder.actorType, id: holder.actorId },
    });
    return this.leases.revoke(caller, id);
  }

  @Post('revoke-prefix/*path')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke every live lease on a path and the paths below it: their holders must read again. Needs secrets:rotate (step-up). Audited as leases.revoke_prefix.' })
  @ApiParam({ name: 'path', example: 'db/audit-writer' })
  async revokePrefix(@Req() req: Request, @Param('path') raw: string | string[]) {
    const path = secretPath(raw);
    return this.leases.revokePrefix(await this.gate.enter(req, { action: 'leases.revoke_prefix', permission: 'secrets:rotate', resource: `secret:${path}` }), path);
  }
}

function leaseId(body: { leaseId?: unknown } | undefined): string {
  const id = body?.leaseId;
  if (typeof id !== 'string' || !LEASE_ID.test(id)) throw badRequest('leaseId', 'must be a lease id (32 hex characters) from a secret read');
  return id;
}
