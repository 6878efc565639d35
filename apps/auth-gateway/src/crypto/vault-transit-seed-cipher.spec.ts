import { VaultClientError } from '@vigil/vault-client';
import { randomBytes } from 'node:crypto';
import { LocalSeedCipher, SeedCipherError } from './seed-cipher';
import { VaultTransitSeedCipher } from './vault-transit-seed-cipher';

// The round trip through the real vault is in src/crypto/vault-seeds.int-spec.ts; here the
// framing and the fallback, with a stand-in for our own VaultClient interface.
const fakeVault = () => {
  const key = randomBytes(32);
  const local = new LocalSeedCipher(key);
  return {
    calls: [] as string[],
    async encrypt(name: string, plaintext: Buffer | string) {
      this.calls.push(`encrypt ${name}`);
      return local.encrypt(Buffer.from(plaintext), name);
    },
    async decrypt(name: string, ciphertext: string) {
      this.calls.push(`decrypt ${name}`);
      return local.decrypt(ciphertext, name);
    },
  };
};

describe('VaultTransitSeedCipher', () => {
  it('seals the row context with the seed, refuses it on another row, and opens older local ciphertexts by the fallback', async () => {
    const vault = fakeVault();
    const fallback = new LocalSeedCipher(randomBytes(32));
    const cipher = new VaultTransitSeedCipher(vault, 'totp-seeds', fallback);
    const seed = randomBytes(20);
    const ciphertext = await cipher.encrypt(seed, 'totp-seed:u1');
    expect(ciphertext).toMatch(/^vault:totp-seeds:/);
    expect(await cipher.decrypt(ciphertext, 'totp-seed:u1')).toEqual(seed);
    await expect(cipher.decrypt(ciphertext, 'totp-seed:u2')).rejects.toBeInstanceOf(SeedCipherError);
    expect(vault.calls).toEqual(['encrypt totp-seeds', 'decrypt totp-seeds', 'decrypt totp-seeds']);
    const old = await fallback.encrypt(seed, 'totp-seed:u1');
    expect(await cipher.decrypt(old, 'totp-seed:u1')).toEqual(seed);
  });

  it('answers 503 naming the vault error when the vault cannot be reached', async () => {
    const down = { encrypt: async () => Promise.reject(new VaultClientError('unreachable', 'connect ECONNREFUSED')), decrypt: async () => Promise.reject(new VaultClientError('sealed', 'sealed')) };
    const cipher = new VaultTransitSeedCipher(down, 'totp-seeds', new LocalSeedCipher(randomBytes(32)));
    await expect(cipher.encrypt(randomBytes(20), 'totp-seed:u1')).rejects.toMatchObject({ status: 503, response: { error: 'auth_unavailable', message: expect.stringContaining('(unreachable)') } });
    await expect(cipher.decrypt('vault:totp-seeds:vigil:v1:x', 'totp-seed:u1')).rejects.toMatchObject({ status: 503 });
  });
});
