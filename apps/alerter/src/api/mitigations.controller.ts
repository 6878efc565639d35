import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '@vigil/auth';
import type { Request } from 'express';
import { z } from 'zod';
import type { MitigationName } from '../mitigations/mitigation-actions';
import { MitigationService } from '../mitigations/mitigation.service';
import { parseInput } from './parse-body';

const note = z.string().trim().min(1).max(4000).optional();
// The gateway's user ids are UUIDs; the vault's key names are a-z 0-9 . _ - (checked here so a typo is a 400, not a 502).
const userSchema = z
  .object({ userId: z.string().uuid().optional(), username: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, "must be a gateway username").optional(), note })
  .strict()
  .refine((body) => (body.userId === undefined) !== (body.username === undefined), { message: 'give exactly one of userId and username', path: ['userId'] });
const keySchema = z.object({ key: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be a transit key name (a-z 0-9 . _ -)'), note }).strict();
const userBody = {
  schema: { type: 'object', description: 'userId or username (looked up at the gateway, needs users:read)', properties: { userId: { type: 'string', format: 'uuid' }, username: { type: 'string' }, note: { type: 'string' } } },
};
const BAD_GATEWAY = { description: "The owning service refused or failed: error 'mitigation_failed', `service` names it; the attempt and the failure are on the timeline." };

/**
 * Mitigations from an incident. Each route needs the owning service's permission (sensitive:
 * step-up within 5 minutes) here, and the caller's token is forwarded so the owning service
 * checks and audits the same person.
 */
@ApiTags('incidents')
@Controller('api/incidents/:id/actions')
export class MitigationsController {
  constructor(private readonly mitigations: MitigationService) {}

  @Post('lock-account')
  @HttpCode(200)
  @RequirePermission('users:write', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: "Lock (disable) a user's account at the auth-gateway, ending their sessions" })
  @ApiBody(userBody)
  @ApiBadGatewayResponse(BAD_GATEWAY)
  lockAccount(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const input = parseInput(userSchema, body);
    return this.run(req, id, who, 'lock-account', input.userId ?? { username: input.username as string }, input.note);
  }

  @Post('revoke-sessions')
  @HttpCode(200)
  @RequirePermission('sessions:revoke', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: "Revoke every session of a user at the auth-gateway" })
  @ApiBody(userBody)
  @ApiBadGatewayResponse(BAD_GATEWAY)
  revokeSessions(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const input = parseInput(userSchema, body);
    return this.run(req, id, who, 'revoke-sessions', input.userId ?? { username: input.username as string }, input.note);
  }

  @Post('rotate-key')
  @HttpCode(200)
  @RequirePermission('keys:rotate', { resource: (req) => `incident:${req.params.id}` })
  @ApiOperation({ summary: "Rotate a transit key at the vault (new encryptions use the new version)" })
  @ApiBody({ schema: { type: 'object', required: ['key'], properties: { key: { type: 'string' }, note: { type: 'string' } } } })
  @ApiBadGatewayResponse(BAD_GATEWAY)
  rotateKey(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() who: Principal, @Req() req: Request) {
    const input = parseInput(keySchema, body);
    return this.run(req, id, who, 'rotate-key', input.key, input.note);
  }

  private run(req: Request, incidentId: string, who: Principal, mitigation: MitigationName, target: string | { username: string }, note?: string) {
    const traceId = req.headers['x-request-id'];
    return this.mitigations.run({ incidentId, who, authorization: req.headers.authorization ?? '', mitigation, target, note, traceId: typeof traceId === 'string' ? traceId : undefined });
  }
}
