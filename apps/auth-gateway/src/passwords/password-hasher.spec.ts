import { OWASP_ARGON2ID, PasswordHasher } from './password-hasher';

describe('PasswordHasher (Argon2id)', () => {
  const hasher = new PasswordHasher();

  it('stores a PHC string with the OWASP parameters and a fresh salt', async () => {
    const [a, b] = await Promise.all([hasher.hash('glacier drift 42'), hasher.hash('glacier drift 42')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toEqual(b);
    expect(a).not.toContain('glacier');
    expect(OWASP_ARGON2ID).toEqual({ memoryKiB: 19456, passes: 2, parallelism: 1 });
  });

  it('verifies the password exactly as typed', async () => {
    const stored = await hasher.hash('glacier drift 42');
    expect(await hasher.verify(stored, 'glacier drift 42')).toBe(true);
    expect(await hasher.verify(stored, 'glacier drift 42 ')).toBe(false);
    expect(await hasher.verify(stored, 'Glacier drift 42')).toBe(false);
  });

  it('does not normalise Unicode: NFC and NFD forms are different passwords', async () => {
    const nfc = 'café-latte-9'.normalize('NFC');
    const stored = await hasher.hash(nfc);
    expect(await hasher.verify(stored, nfc.normalize('NFD'))).toBe(false);
  });

  it('matches the RFC 9106 / reference Argon2id output for known inputs', async () => {
    // Cross-check with the reference implementation's CLI: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32
    // (m = 2^16 KiB): 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7
    const small = new PasswordHasher({ memoryKiB: 65536, passes: 2, parallelism: 1 });
    const stored = `$argon2id$v=19$m=65536,t=2,p=1$${Buffer.from('somesalt').toString('base64').replace(/=+$/, '')}$${Buffer.from('09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7', 'hex').toString('base64').replace(/=+$/, '')}`;
    expect(await small.verify(stored, 'password')).toBe(true);
  });

  it('answers false for a hash that is not an Argon2id PHC string', async () => {
    expect(await hasher.verify('$2b$10$abcdefghijklmnopqrstuv', 'whatever-pass')).toBe(false);
  });

  it('asks for a rehash when the stored parameters are weaker', () => {
    expect(hasher.needsRehash('$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$AAAA')).toBe(true);
    expect(hasher.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$AAAA')).toBe(false);
  });
});
