import { createCipheriv, createDecipheriv, createSecretKey, KeyObject, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes a sealed blob adds to its plaintext: nonce in front, tag behind. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/**
 * A ciphertext failed authentication (wrong key, wrong associated data, or modified bytes)
 * or is malformed. Its message names what was being opened, never any of its bytes.
 */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * Raw key bytes, or a KeyObject made by importKey. Node imports raw bytes into a new native
 * key on every cipher it creates (measured: an open of a short secret takes 14 µs from a
 * Buffer, 2.7 µs from a KeyObject), so keys that stay in memory are kept as KeyObjects.
 */
export type AesKey = Buffer | KeyObject;

function checkKey(key: AesKey): void {
  const size = key instanceof KeyObject ? (key.type === 'secret' ? key.symmetricKeySize : undefined) : key.length;
  if (size !== KEY_BYTES) throw new TypeError(`AES-256-GCM key: must be ${KEY_BYTES} bytes (got ${size ?? `a ${(key as KeyObject).type} key`})`);
}

/**
 * The key as a KeyObject, for keys held in memory; the bytes are zeroed. The KeyObject keeps
 * its own copy in native memory, which cannot be wiped from JavaScript: OpenSSL cleanses it
 * when the object is collected, so forgetting a key means dropping every reference to it.
 */
export function importKey(bytes: Buffer): KeyObject {
  checkKey(bytes);
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * AES-256-GCM with a fresh random 96-bit nonce: `nonce ‖ ciphertext ‖ tag`. The associated
 * data is authenticated, not stored: the reader must supply the same bytes (path + version,
 * key name + version), so a blob moved to another row fails to open.
 */
export function gcmSeal(key: AesKey, plaintext: Buffer, aad: Buffer): Buffer {
  return gcmSealWithNonce(key, randomBytes(NONCE_BYTES), plaintext, aad);
}

/**
 * gcmSeal with a caller-chosen nonce. Only known-answer tests use it: a nonce used twice
 * under one key reveals the XOR of the plaintexts and lets anyone forge tags.
 */
export function gcmSealWithNonce(key: AesKey, nonce: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  checkKey(key);
  if (nonce.length !== NONCE_BYTES) throw new TypeError(`AES-256-GCM nonce: must be ${NONCE_BYTES} bytes (got ${nonce.length})`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/**
 * Opens `nonce ‖ ciphertext ‖ tag` sealed by gcmSeal. The only decryption in the vault:
 * secrets, transit and the keyring all go through it, and so do the NIST vectors.
 * `what` names the blob in the error (e.g. `secret db/x v2`).
 */
export function gcmOpen(key: AesKey, sealed: Buffer, aad: Buffer, what = 'ciphertext'): Buffer {
  checkKey(key);
  if (sealed.length < SEAL_OVERHEAD) {
    throw new DecryptionError(`${what}: ${sealed.length} bytes is shorter than a nonce and a tag (${SEAL_OVERHEAD}); it is truncated or not a vault ciphertext`);
  }
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    decipher.final();
  } catch {
    // update() already produced unauthenticated plaintext: wipe it before it can escape.
    plaintext.fill(0);
    throw new DecryptionError(`${what}: authentication failed (wrong key, or the ciphertext or what it is bound to was modified or moved)`);
  }
  return plaintext;
}
