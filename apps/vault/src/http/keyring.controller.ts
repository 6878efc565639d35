import { Body, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { VaultApi } from './vault-api.decorator';
import { VaultGate } from '../access/vault-gate';
import { KeyringAdmin } from '../keyring/keyring-admin.service';

/** The operator's keyring actions (keys:rotate, step-up); `npx vigil vault rotate|rekey` call them. */
@ApiConflictResponse({ description: "error 'master_key_unavailable' or 'wrong_master_key': the configured master key cannot be read again or no longer opens the keyring." })
@VaultApi('sys', 'v1/sys/keyring', "The caller's roles do not grant keys:rotate.")
export class KeyringController {
  constructor(
    private readonly gate: VaultGate,
    private readonly admin: KeyringAdmin,
  ) {}

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'New data-encryption key (keyring v<N+1>); every secret version and transit key is re-sealed under it. Audited as keyring.rotate.' })
  async rotate(@Req() req: Request) {
    return this.admin.rotate(await this.gate.enter(req, { action: 'keyring.rotate', permission: 'keys:rotate', resource: 'keyring' }));
  }

  @Post('rekey')
  @HttpCode(200)
  @ApiOperation({ summary: 'Seal the keyring under a new master key; then give the vault the new key (key file or variable). Audited as keyring.rekey.' })
  @ApiBody({ schema: { type: 'object', required: ['newMasterKey'], properties: { newMasterKey: { type: 'string', description: 'base64 of 32 random bytes; never logged or audited' } } } })
  async rekey(@Req() req: Request, @Body() body: { newMasterKey?: unknown }) {
    return this.admin.rekey(await this.gate.enter(req, { action: 'keyring.rekey', permission: 'keys:rotate', resource: 'keyring' }), body?.newMasterKey);
  }
}
