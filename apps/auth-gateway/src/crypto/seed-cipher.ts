import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * How the gateway encrypts what it must be able to read back: TOTP seeds and the private
 * halves of its signing keys. `context` is bound as associated data (e.g. `totp-seed:<userId>`),
 * so a ciphertext copied onto another row does not decrypt.
 *
 * Today: LocalSeedCipher, AES-256-GCM under a key file. The vault's transit API
 * (`transit:encrypt`/`transit:decrypt`, being built) replaces it by providing a
 * VaultTransitSeedCipher under the SEED_CIPHER token: the one change the switch needs.
 */
export interface SeedCipher {
  encrypt(plaintext: Uint8Array, context: string): Promise<string>;
  decrypt(ciphertext: string, context: string): Promise<Buffer>;
}

export const SEED_CIPHER = Symbol('SEED_CIPHER');

const PREFIX = 'local:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A ciphertext that does not open under this key and context: wrong key, wrong row, or tampered. */
export class SeedCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedCipherError';
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce per message; `local:v1:<base64(nonce‖ciphertext‖tag)>`.
 * Random nonces are safe far beyond the number of seeds and keys one gateway stores
 * (NIST SP 800-38D §8.3 allows 2^32 messages per key).
 */
export class LocalSeedCipher implements SeedCipher {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new TypeError(`LocalSeedCipher key: must be 32 bytes (got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key})`);
    }
    this.key = Buffer.from(key);
  }

  /** Reads VIGIL_AUTH_SEED_KEY_FILE: 32 raw bytes, or 64 hex digits, or base64 of 32 bytes (whitespace ignored). */
  static fromKeyFile(path: string): LocalSeedCipher {
    let raw: Buffer;
    try {
      raw = readFileSync(path);
    } catch (error) {
      throw new TypeError(`VIGIL_AUTH_SEED_KEY_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); create it with \`openssl rand -base64 32 > ${path}\``);
    }
    return new LocalSeedCipher(parseKey(raw));
  }

  async encrypt(plaintext: Uint8Array, context: string): Promise<string> {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  async decrypt(ciphertext: string, context: string): Promise<Buffer> {
    if (typeof ciphertext !== 'string' || !ciphertext.startsWith(PREFIX)) throw new SeedCipherError(`ciphertext for ${context}: not in ${PREFIX} form`);
    const bytes = Buffer.from(ciphertext.slice(PREFIX.length), 'base64');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SeedCipherError(`ciphertext for ${context}: too short`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SeedCipherError(`ciphertext for ${context}: does not authenticate (wrong key, wrong context or tampered)`);
    }
  }
}

function parseKey(raw: Buffer): Buffer {
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').replace(/\s+/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const decoded = Buffer.from(text, 'base64');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && decoded.length === 32) return decoded;
  throw new TypeError(`VIGIL_AUTH_SEED_KEY_FILE: must hold a 256-bit key as 32 raw bytes, 64 hex digits or base64 (got ${raw.length} bytes of another form)`);
}
