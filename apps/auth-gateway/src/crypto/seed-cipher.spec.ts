import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalSeedCipher, SeedCipherError } from './seed-cipher';

describe('LocalSeedCipher (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 7);
  const cipher = new LocalSeedCipher(key);

  it('round-trips, with a fresh nonce each time and no plaintext in the ciphertext', async () => {
    const seed = Buffer.from('12345678901234567890');
    const a = await cipher.encrypt(seed, 'totp-seed:u1');
    const b = await cipher.encrypt(seed, 'totp-seed:u1');
    expect(a).toMatch(/^local:v1:/);
    expect(a).not.toEqual(b);
    expect(a).not.toContain(seed.toString('base64'));
    expect(await cipher.decrypt(a, 'totp-seed:u1')).toEqual(seed);
  });

  it('refuses another context (a ciphertext moved to another row), another key, and tampering', async () => {
    const a = await cipher.encrypt(Buffer.from('seed-seed-seed-seed!'), 'totp-seed:u1');
    await expect(cipher.decrypt(a, 'totp-seed:u2')).rejects.toThrow(SeedCipherError);
    await expect(new LocalSeedCipher(Buffer.alloc(32, 8)).decrypt(a, 'totp-seed:u1')).rejects.toThrow(SeedCipherError);
    const bytes = Buffer.from(a.slice('local:v1:'.length), 'base64');
    bytes[15] ^= 1;
    await expect(cipher.decrypt(`local:v1:${bytes.toString('base64')}`, 'totp-seed:u1')).rejects.toThrow(/does not authenticate/);
  });

  it('reads the key file as base64, hex or raw bytes, and names the variable when it is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedkey-'));
    for (const [name, content] of [['b64', key.toString('base64') + '\n'], ['hex', key.toString('hex')], ['raw', key]] as const) {
      writeFileSync(path.join(dir, name), content);
      expect(LocalSeedCipher.fromKeyFile(path.join(dir, name))).toBeInstanceOf(LocalSeedCipher);
    }
    writeFileSync(path.join(dir, 'short'), 'abcd');
    expect(() => LocalSeedCipher.fromKeyFile(path.join(dir, 'short'))).toThrow(/VIGIL_AUTH_SEED_KEY_FILE: must hold a 256-bit key/);
    expect(() => LocalSeedCipher.fromKeyFile(path.join(dir, 'missing'))).toThrow(/VIGIL_AUTH_SEED_KEY_FILE: cannot read .* \(ENOENT\)/);
  });
});
