import { DecryptionError, gcmOpen, gcmSealWithNonce, importKey, type AesKey } from './aes-gcm';
import { readVectorFile } from './external-vectors';

interface GcmVector {
  name: string;
  key_hex: string;
  iv_hex: string;
  aad_hex: string;
  plaintext_hex: string | null;
  ct_and_tag_hex: string;
  result: 'valid' | 'invalid';
}

const file = readVectorFile<{ vectors: GcmVector[] }>('aes256gcm.json');
const hex = (s: string) => Buffer.from(s, 'hex');
// A vector's IV, ciphertext and tag laid out as the vault stores them: nonce ‖ ciphertext ‖ tag.
const sealedOf = (v: GcmVector) => Buffer.concat([hex(v.iv_hex), hex(v.ct_and_tag_hex)]);

// The keyring and transit hold keys as KeyObjects; master keys and tests pass raw bytes. Both go through every vector.
const keyForms: Array<[string, (keyHex: string) => AesKey]> = [
  ['raw key bytes', (keyHex) => hex(keyHex)],
  ['an imported KeyObject', (keyHex) => importKey(hex(keyHex))],
];

const valid = file?.vectors.filter((v) => v.result === 'valid') ?? [];
const invalid = file?.vectors.filter((v) => v.result === 'invalid') ?? [];

(file ? describe : describe.skip)('AES-256-GCM vectors (McGrew-Viega, NIST CAVS) through the vault crypto path', () => {
  it('has both valid and invalid vectors', () => {
    expect(valid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeGreaterThan(0);
  });

  describe.each(keyForms)('with %s', (_form, keyOf) => {
    it.each(valid.map((v) => [v.name, v] as const))('%s: gcmOpen gives the expected plaintext', (_name, v) => {
      expect(gcmOpen(keyOf(v.key_hex), sealedOf(v), hex(v.aad_hex)).toString('hex')).toBe(v.plaintext_hex);
    });

    it.each(valid.map((v) => [v.name, v] as const))('%s: sealing with its nonce gives its ciphertext and tag', (_name, v) => {
      expect(gcmSealWithNonce(keyOf(v.key_hex), hex(v.iv_hex), hex(v.plaintext_hex ?? ''), hex(v.aad_hex)).toString('hex')).toBe(v.iv_hex + v.ct_and_tag_hex);
    });

    it.each(invalid.map((v) => [v.name, v] as const))('%s: gcmOpen rejects it', (_name, v) => {
      expect(() => gcmOpen(keyOf(v.key_hex), sealedOf(v), hex(v.aad_hex))).toThrow(DecryptionError);
    });

    it.each(valid.map((v) => [v.name, v] as const))('%s with its associated data changed: rejected', (_name, v) => {
      expect(() => gcmOpen(keyOf(v.key_hex), sealedOf(v), Buffer.concat([hex(v.aad_hex), Buffer.from([0])]))).toThrow(DecryptionError);
    });
  });
});
