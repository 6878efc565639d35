import { ServiceUnavailableException } from '@nestjs/common';
import { VaultClientError, type VaultClient } from '@vigil/vault-client';
import { SeedCipherError, type SeedCipher } from './seed-cipher';

const PREFIX = 'vault:';

/**
 * TOTP seeds encrypted by the vault's transit API (`transit:encrypt`/`transit:decrypt` on the
 * key `keyName`, held only by the vault): `vault:<key>:<vault ciphertext>`. The row's context
 * (`totp-seed:<userId>`) is sealed inside with the seed and checked on the way out, so a
 * ciphertext copied onto another row does not open. Ciphertexts of another form (`local:v1:`,
 * seeds enrolled before the switch) are opened by `fallback`. A vault that cannot answer makes
 * the MFA step answer 503.
 */
export class VaultTransitSeedCipher implements SeedCipher {
  constructor(
    private readonly vault: Pick<VaultClient, 'encrypt' | 'decrypt'>,
    private readonly keyName: string,
    private readonly fallback: SeedCipher,
  ) {}

  async encrypt(plaintext: Uint8Array, context: string): Promise<string> {
    const framed = Buffer.concat([frame(context), plaintext]);
    try {
      return `${PREFIX}${this.keyName}:${await this.vault.encrypt(this.keyName, framed)}`;
    } catch (error) {
      throw unavailable('encrypt', error);
    } finally {
      framed.fill(0);
    }
  }

  async decrypt(ciphertext: string, context: string): Promise<Buffer> {
    if (!ciphertext.startsWith(PREFIX)) return this.fallback.decrypt(ciphertext, context);
    const rest = ciphertext.slice(PREFIX.length);
    const colon = rest.indexOf(':');
    if (colon <= 0) throw new SeedCipherError('vault seed ciphertext: expected vault:<key>:<ciphertext>');
    let framed: Buffer;
    try {
      framed = await this.vault.decrypt(rest.slice(0, colon), rest.slice(colon + 1));
    } catch (error) {
      throw unavailable('decrypt', error);
    }
    const expected = frame(context);
    const bound = framed.length >= expected.length && framed.subarray(0, expected.length).equals(expected);
    const seed = bound ? Buffer.from(framed.subarray(expected.length)) : undefined;
    framed.fill(0);
    if (!seed) throw new SeedCipherError('the seed ciphertext belongs to another row');
    return seed;
  }
}

const frame = (context: string) => Buffer.from(`${context}\n`, 'utf8');

function unavailable(what: string, error: unknown): Error {
  if (!(error instanceof VaultClientError)) return error instanceof Error ? error : new Error(String(error));
  return new ServiceUnavailableException({ error: 'auth_unavailable', message: `the vault could not ${what} the TOTP seed (${error.code}); retry later` });
}
