import { createSecretKey, randomBytes } from 'node:crypto';
import { DecryptionError, NONCE_BYTES, SEAL_OVERHEAD, gcmOpen, gcmSeal, importKey } from './aes-gcm';
import { secretAad } from './associated-data';

describe('gcmSeal / gcmOpen', () => {
  const key = randomBytes(32);
  const plaintext = Buffer.from('hunter2-database-password');

  it('round-trips and adds exactly a nonce and a tag', () => {
    const sealed = gcmSeal(key, plaintext, secretAad('db/x', 1));
    expect(sealed.length).toBe(plaintext.length + SEAL_OVERHEAD);
    expect(gcmOpen(key, sealed, secretAad('db/x', 1))).toEqual(plaintext);
  });

  it('uses a fresh nonce each time', () => {
    const a = gcmSeal(key, plaintext, Buffer.alloc(0));
    const b = gcmSeal(key, plaintext, Buffer.alloc(0));
    expect(a.subarray(0, NONCE_BYTES)).not.toEqual(b.subarray(0, NONCE_BYTES));
  });

  it('refuses another path, another version, another key, a flipped bit and a truncated blob, without echoing data', () => {
    const sealed = gcmSeal(key, plaintext, secretAad('db/x', 1));
    const flipped = Buffer.from(sealed);
    flipped[NONCE_BYTES + 2] ^= 1;
    const attempts = [
      () => gcmOpen(key, sealed, secretAad('db/y', 1), 'secret db/y v1'),
      () => gcmOpen(key, sealed, secretAad('db/x', 2)),
      () => gcmOpen(randomBytes(32), sealed, secretAad('db/x', 1)),
      () => gcmOpen(key, flipped, secretAad('db/x', 1)),
      () => gcmOpen(key, sealed.subarray(0, 20), secretAad('db/x', 1)),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(DecryptionError);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
    expect(() => gcmOpen(key, sealed, secretAad('db/y', 1), 'secret db/y v1')).toThrow(/^secret db\/y v1: authentication failed/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => gcmSeal(randomBytes(16), plaintext, Buffer.alloc(0))).toThrow(/must be 32 bytes \(got 16\)/);
    expect(() => importKey(randomBytes(16))).toThrow(/must be 32 bytes \(got 16\)/);
    expect(() => gcmSeal(createSecretKey(randomBytes(16)), plaintext, Buffer.alloc(0))).toThrow(/must be 32 bytes \(got 16\)/);
  });
});

describe('importKey', () => {
  it('zeroes the bytes it was given, and its KeyObject opens what those bytes sealed and the reverse', () => {
    const bytes = randomBytes(32);
    const copy = Buffer.from(bytes);
    const imported = importKey(bytes);
    expect(bytes.equals(Buffer.alloc(32))).toBe(true);
    const aad = secretAad('db/x', 1);
    const plaintext = Buffer.from('hunter2-database-password');
    expect(gcmOpen(imported, gcmSeal(copy, plaintext, aad), aad)).toEqual(plaintext);
    expect(gcmOpen(copy, gcmSeal(imported, plaintext, aad), aad)).toEqual(plaintext);
    expect(() => gcmOpen(importKey(randomBytes(32)), gcmSeal(copy, plaintext, aad), aad)).toThrow(DecryptionError);
  });
});
