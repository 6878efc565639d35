import { Body, Get, HttpCode, HttpStatus, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { VaultApi } from './vault-api.decorator';
import type { VaultPermission } from '../access/access-policy';
import { VaultGate } from '../access/vault-gate';
import { batchItems, checkKeyName } from '../transit/transit-request';
import { TransitService } from '../transit/transit.service';
import { VaultError } from '../vault.errors';

const NAME = { name: 'name', description: 'Transit key name (a-z 0-9 . _ -)', example: 'totp-seeds' };
const batchBody = (field: string, description: string) => ({
  schema: {
    type: 'object',
    description: `{ ${field} } or { batch: [{ ${field} }, ...] } (at most 1000); a batch answers { batch: [...] } with an error per failed item`,
    properties: { [field]: { type: 'string', description }, batch: { type: 'array', items: { type: 'object', properties: { [field]: { type: 'string' } } } } },
  },
});

/** Encryption as a service: ciphertexts are `vigil:v<N>:<base64(nonce ‖ ciphertext ‖ tag)>`. */
@VaultApi('transit', 'v1/transit')
export class TransitController {
  constructor(
    private readonly gate: VaultGate,
    private readonly transit: TransitService,
  ) {}

  @Post('keys/:name')
  @ApiOperation({ summary: 'Create a named key (version 1). Audited as transit.key_create.' })
  @ApiParam(NAME)
  @ApiConflictResponse({ description: "error 'key_exists'." })
  async create(@Req() req: Request, @Param('name') name: string) {
    return this.transit.createKey(await this.enter(req, 'transit.key_create', 'keys:rotate', checkKeyName(name)), name);
  }

  @Get('keys/:name')
  @ApiOperation({ summary: 'Versions, min_decryption_version and encryption counts. Audited as transit.key_read.' })
  @ApiParam(NAME)
  async read(@Req() req: Request, @Param('name') name: string) {
    return this.transit.read(await this.enter(req, 'transit.key_read', 'keys:read', checkKeyName(name)), name);
  }

  @Post('keys/:name/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a version; new encryptions use it, older ones still decrypt. Audited as transit.rotate.' })
  @ApiParam(NAME)
  async rotate(@Req() req: Request, @Param('name') name: string) {
    return this.transit.rotate(await this.enter(req, 'transit.rotate', 'keys:rotate', checkKeyName(name)), name);
  }

  @Patch('keys/:name/config')
  @ApiOperation({ summary: 'Set min_decryption_version: ciphertexts of older versions stop decrypting. Audited as transit.key_config.' })
  @ApiParam(NAME)
  @ApiBody({ schema: { type: 'object', required: ['min_decryption_version'], properties: { min_decryption_version: { type: 'integer', minimum: 1 } } } })
  async configure(@Req() req: Request, @Param('name') name: string, @Body() body: { min_decryption_version?: unknown }) {
    return this.transit.configure(await this.enter(req, 'transit.key_config', 'keys:rotate', checkKeyName(name)), name, body?.min_decryption_version);
  }

  @Post('encrypt/:name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Encrypt base64 plaintext under the latest version. Audited as transit.encrypt.' })
  @ApiParam(NAME)
  @ApiBody(batchBody('plaintext', 'base64 of the bytes to encrypt'))
  @ApiConflictResponse({ description: "error 'rotation_required': the latest version reached its encryption limit; rotate." })
  async encrypt(@Req() req: Request, @Param('name') name: string, @Body() body: unknown) {
    const { items, batch } = batchItems(body, 'plaintext');
    const results = await this.transit.encrypt(await this.enter(req, 'transit.encrypt', 'transit:encrypt', checkKeyName(name)), name, items);
    return batch ? { batch: results } : results[0];
  }

  @Post('decrypt/:name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decrypt to base64 plaintext. Audited as transit.decrypt.' })
  @ApiParam(NAME)
  @ApiBody(batchBody('ciphertext', 'vigil:v<N>:<base64>'))
  async decrypt(@Req() req: Request, @Param('name') name: string, @Body() body: unknown) {
    const { items, batch } = batchItems(body, 'ciphertext');
    const results = await this.transit.decrypt(await this.enter(req, 'transit.decrypt', 'transit:decrypt', checkKeyName(name)), name, items);
    return batch ? { batch: results } : single(results[0]);
  }

  @Post('rewrap/:name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-encrypt under the latest version without revealing the plaintext. Audited as transit.rewrap.' })
  @ApiParam(NAME)
  @ApiBody(batchBody('ciphertext', 'vigil:v<N>:<base64>'))
  async rewrap(@Req() req: Request, @Param('name') name: string, @Body() body: unknown) {
    const { items, batch } = batchItems(body, 'ciphertext');
    // keys:rotate, not transit:rewrap: rewrapping is part of a rotation (operators run it; it never reveals plaintext), and the shipped policy grants transit:rewrap to no role.
    const results = await this.transit.rewrap(await this.enter(req, 'transit.rewrap', 'keys:rotate', checkKeyName(name)), name, items);
    return batch ? { batch: results } : single(results[0]);
  }

  private enter(req: Request, action: string, permission: VaultPermission, name: string) {
    return this.gate.enter(req, { action, permission, resource: `transit-key:${name}` });
  }
}

// A single (non-batch) item that failed is the request's failure: 400 with the item's error.
function single<T extends object>(result: T | { error: string; message: string }): T {
  if ('error' in result) {
    throw new VaultError(HttpStatus.BAD_REQUEST, result.error, `ciphertext: ${result.message}`);
  }
  return result;
}
