import { ServiceUnavailableException, type FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vigil/service';
import type { AuthGatewayConfig } from '../auth-gateway.config';
import { LocalSeedCipher, SEED_CIPHER, type SeedCipher } from './seed-cipher';

/** Without a key file: every use answers 503 naming the variable (the service itself still runs). */
class MissingKeySeedCipher implements SeedCipher {
  private fail(): never {
    throw new ServiceUnavailableException({
      error: 'auth_unavailable',
      message: 'VIGIL_AUTH_SEED_KEY_FILE is not set: the gateway cannot read TOTP seeds or signing keys; set it to a file holding a 256-bit key (openssl rand -base64 32)',
    });
  }
  async encrypt(): Promise<string> {
    return this.fail();
  }
  async decrypt(): Promise<Buffer> {
    return this.fail();
  }
}

/** The one place that chooses the cipher: the vault's transit replaces LocalSeedCipher here. */
export const seedCipherProvider: FactoryProvider<SeedCipher> = {
  provide: SEED_CIPHER,
  inject: [SERVICE_CONFIG],
  useFactory: (config: AuthGatewayConfig) => (config.VIGIL_AUTH_SEED_KEY_FILE ? LocalSeedCipher.fromKeyFile(config.VIGIL_AUTH_SEED_KEY_FILE) : new MissingKeySeedCipher()),
};
