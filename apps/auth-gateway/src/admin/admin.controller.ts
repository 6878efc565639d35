import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@vigil/auth';
import type { Request } from 'express';
import { AuditRecorder } from '../audit/audit-recorder';
import { SigningKeysService } from '../tokens/signing-keys.service';

/** Admin actions: each behind its permission and a fresh MFA check (the policy marks them sensitive), each audited. */
@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly audit: AuditRecorder,
  ) {}

  /** A new active signing key; the old one stays published as previous, so nobody is logged out. */
  @Post('signing-keys/rotate')
  @HttpCode(200)
  @RequirePermission('keys:rotate', { resource: () => 'keys:signing' })
  async rotate(@CurrentPrincipal() who: Principal, @Req() req: Request) {
    const rotated = await this.keys.rotate();
    await this.audit.audit({
      actor: { type: who.type, id: who.id, roles: [...who.roles], ...(req.ip ? { ip: req.ip } : {}) },
      action: 'keys.rotate',
      resource: `signing-key:${rotated.kid}`,
      outcome: 'success',
      details: { kid: rotated.kid, ...(rotated.previousKid ? { previousKid: rotated.previousKid } : {}) },
    });
    return rotated;
  }
}
