import { Body, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiGoneResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';
import { VaultApi } from './vault-api.decorator';
import { VaultGate } from '../access/vault-gate';
import type { VaultPermission } from '../access/access-policy';
import { secretPathProblem } from '../secrets/secret-path';
import { SecretsService } from '../secrets/secrets.service';
import { LEASE_ID } from '../leases/lease.store';
import { badRequest } from '../vault.errors';

const PATH_PARAM = { name: 'path', description: 'Secret path, 1-8 segments of a-z 0-9 . _ - joined by /, e.g. db/audit-writer', example: 'db/audit-writer' };
const VERSIONS_BODY = { schema: { type: 'object', properties: { versions: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'Default: the current version' } } } };

/**
 * Versioned key/value secrets. The path is the rest of the URL after the operation's prefix
 * (`/v1/secrets/data/db/audit-writer`), as in HashiCorp Vault's KV v2, so paths keep their slashes.
 */
@VaultApi('secrets', 'v1/secrets', "The caller's roles do not grant the permission, or a service asked for another service's path.")
export class SecretsController {
  constructor(
    private readonly gate: VaultGate,
    private readonly secrets: SecretsService,
  ) {}

  @Get('data/*path')
  @ApiOperation({ summary: 'Read a secret version (default the current one). Audited as secrets.read.' })
  @ApiParam(PATH_PARAM)
  @ApiQuery({ name: 'version', required: false, type: Number })
  @ApiHeader({ name: 'x-vigil-lease', required: false, description: 'Re-read under this lease (after a rotation) instead of taking a new one; it must be live and the caller\'s' })
  @ApiNotFoundResponse({ description: "No such secret or version (error 'not_found'), or it is deleted ('deleted') or destroyed ('destroyed')." })
  @ApiGoneResponse({ description: "The presented lease expired ('lease_expired') or was revoked ('lease_revoked'): read without it for a new lease." })
  async read(@Req() req: Request, @Param('path') raw: string | string[], @Query('version') version?: string, @Headers('x-vigil-lease') lease?: string) {
    const path = secretPath(raw);
    const v = version === undefined ? undefined : positiveInt(version, 'version');
    if (lease !== undefined && !LEASE_ID.test(lease)) throw badRequest('x-vigil-lease', 'must be a lease id (32 hex characters)');
    const caller = await this.gate.enter(req, { action: 'secrets.read', permission: 'secrets:read', resource: `secret:${path}`, secretPath: path, personNeedsStepUp: true });
    return this.secrets.read(caller, path, v, lease);
  }

  @Put('data/*path')
  @ApiOperation({ summary: 'Write a new version. With cas, only if the current version is cas (0: only if new). Audited as secrets.write.' })
  @ApiParam(PATH_PARAM)
  @ApiBody({ schema: { type: 'object', required: ['data'], properties: { data: { type: 'object', additionalProperties: { type: 'string' } }, cas: { type: 'integer', minimum: 0 } } } })
  @ApiConflictResponse({ description: "error 'cas_mismatch': the current version is not cas (currentVersion given)." })
  async write(@Req() req: Request, @Param('path') raw: string | string[], @Body() body: { data?: unknown; cas?: unknown }) {
    const path = secretPath(raw);
    const caller = await this.enter(req, 'secrets.write', 'secrets:write', path);
    return this.secrets.write(caller, path, body?.data, body?.cas as number | undefined);
  }

  @Delete('data/*path')
  @ApiOperation({ summary: 'Soft-delete versions (default the current one); undelete restores them. Audited as secrets.delete.' })
  @ApiParam(PATH_PARAM)
  @ApiQuery({ name: 'versions', required: false, description: 'Comma-separated version numbers' })
  async softDelete(@Req() req: Request, @Param('path') raw: string | string[], @Query('versions') versions?: string) {
    const path = secretPath(raw);
    const list = versions === undefined ? undefined : versions.split(',').map((v) => positiveInt(v, 'versions'));
    const caller = await this.enter(req, 'secrets.delete', 'secrets:delete', path);
    return this.secrets.softDelete(caller, path, list);
  }

  @Post('undelete/*path')
  @HttpCode(200)
  @ApiOperation({ summary: 'Undelete soft-deleted versions. Audited as secrets.undelete.' })
  @ApiParam(PATH_PARAM)
  @ApiBody(VERSIONS_BODY)
  async undelete(@Req() req: Request, @Param('path') raw: string | string[], @Body() body: { versions?: number[] }) {
    const path = secretPath(raw);
    const caller = await this.enter(req, 'secrets.undelete', 'secrets:write', path);
    return this.secrets.undelete(caller, path, body?.versions);
  }

  @Post('destroy/*path')
  @HttpCode(200)
  @ApiOperation({ summary: 'Destroy versions: their ciphertext is wiped for good. Audited as secrets.destroy.' })
  @ApiParam(PATH_PARAM)
  @ApiBody(VERSIONS_BODY)
  async destroy(@Req() req: Request, @Param('path') raw: string | string[], @Body() body: { versions?: number[] }) {
    const path = secretPath(raw);
    const caller = await this.enter(req, 'secrets.destroy', 'secrets:delete', path);
    return this.secrets.destroy(caller, path, body?.versions);
  }

  @Get('list')
  @ApiOperation({ summary: 'Secret paths and their current versions, optionally at or below a prefix; a service sees only its own. No values. Audited as secrets.list.' })
  @ApiQuery({ name: 'prefix', required: false, example: 'db' })
  async list(@Req() req: Request, @Query('prefix') prefix?: string) {
    const checked = prefix === undefined || prefix === '' ? undefined : secretPath(prefix);
    const caller = await this.gate.enter(req, { action: 'secrets.list', permission: 'secrets:read', resource: `secret:${checked ?? '*'}` });
    return this.secrets.list(caller, checked);
  }

  @Get('metadata/*path')
  @ApiOperation({ summary: 'Current version and every kept version (created, deleted, destroyed); no values. Audited as secrets.metadata.' })
  @ApiParam(PATH_PARAM)
  async metadata(@Req() req: Request, @Param('path') raw: string | string[]) {
    const path = secretPath(raw);
    const caller = await this.enter(req, 'secrets.metadata', 'secrets:read', path);
    return this.secrets.metadata(caller, path);
  }

  private enter(req: Request, action: string, permission: VaultPermission, path: string) {
    return this.gate.enter(req, { action, permission, resource: `secret:${path}`, secretPath: path });
  }
}

// Express 5 gives a *wildcard as its segments.
export function secretPath(raw: string | string[]): string {
  const path = Array.isArray(raw) ? raw.join('/') : raw;
  const problem = secretPathProblem(path);
  if (problem) throw badRequest('path', problem);
  return path;
}

function positiveInt(text: string, field: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw badRequest(field, 'must be a positive integer');
  return Number(text);
}
