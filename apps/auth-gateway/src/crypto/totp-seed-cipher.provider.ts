import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { issueToken } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service';
import { createVaultClient, type VaultClient } from '@vigil/vault-client';
import { SERVICE } from '../audit/audit-recorder';
import { TOKEN_AUDIENCES, type AuthGatewayConfig } from '../auth-gateway.config';
import { SigningKeysService } from '../tokens/signing-keys.service';
import { SEED_CIPHER, type SeedCipher } from './seed-cipher';
import { VaultTransitSeedCipher } from './vault-transit-seed-cipher';

/** The cipher of TOTP seeds (LoginService); signing keys stay with SEED_CIPHER. */
export const TOTP_SEED_CIPHER = Symbol('TOTP_SEED_CIPHER');

const SELF_TOKEN_TTL_SEC = 300;

/**
 * Chooses how TOTP seeds are encrypted: VIGIL_AUTH_TOTP_CIPHER=vault sends them through the
 * vault's transit API (key VIGIL_AUTH_TOTP_TRANSIT_KEY), `local` (default) keeps them under the
 * local seed key. Signing keys never go to the vault: the vault verifies the gateway's tokens
 * with them, so they must open without it. The gateway authenticates to the vault as
 * svc-auth-gateway with a token it signs itself (it is the issuer: no client secret needed).
 */
@Injectable()
export class TotpSeedCipherFactory implements OnApplicationShutdown {
  private vault?: VaultClient;
  private selfToken?: { token: string; refreshAt: number };

  constructor(
    @Inject(SEED_CIPHER) private readonly local: SeedCipher,
    @Inject(SERVICE_CONFIG) private readonly config: AuthGatewayConfig,
    private readonly keys: SigningKeysService,
  ) {}

  cipher(): SeedCipher {
    if (this.config.VIGIL_AUTH_TOTP_CIPHER !== 'vault') return this.local;
    this.vault = createVaultClient({ url: this.config.VIGIL_VAULT_URL, token: () => this.token(), invalidateToken: () => (this.selfToken = undefined) });
    return new VaultTransitSeedCipher(this.vault, this.config.VIGIL_AUTH_TOTP_TRANSIT_KEY, this.local);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.vault?.close();
  }

  private async token(): Promise<string> {
    const cached = this.selfToken;
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    const token = await issueToken(await this.keys.activeKey(), {
      issuer: this.config.VIGIL_AUTH_ISSUER,
      audience: [...TOKEN_AUDIENCES],
      subject: `svc-${SERVICE}`,
      principalType: 'service',
      roles: [`svc-${SERVICE}`],
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      ttlSec: SELF_TOKEN_TTL_SEC,
    });
    this.selfToken = { token, refreshAt: Date.now() + (SELF_TOKEN_TTL_SEC - 60) * 1000 };
    return token;
  }
}

export const totpSeedCipherProviders = [
  TotpSeedCipherFactory,
  { provide: TOTP_SEED_CIPHER, inject: [TotpSeedCipherFactory], useFactory: (factory: TotpSeedCipherFactory) => factory.cipher() },
];
