import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { VaultKeyring } from '../keyring/vault-keyring';

@ApiTags('sys')
@Controller('v1/sys')
export class SysController {
  constructor(private readonly keyring: VaultKeyring) {}

  @Get('seal-status')
  @ApiOperation({ summary: 'Whether the vault is sealed and why. Unauthenticated, like /readyz; reveals no key material.' })
  @ApiOkResponse({ schema: { oneOf: [{ example: { sealed: true, reason: 'no master key: ...' } }, { example: { sealed: false, keyringVersion: 1 } }] } })
  sealStatus() {
    return this.keyring.sealStatus;
  }
}
