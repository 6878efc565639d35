import { readFileSync } from 'node:fs';
import { KEY_BYTES } from '../crypto/aes-gcm';

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export interface MasterKeySource {
  VIGIL_VAULT_MASTER_KEY?: string;
  VIGIL_VAULT_MASTER_KEY_FILE?: string;
}

/** The master key bytes, or why there is none. The caller zeroes the key after use. Messages never hold key bytes. */
export type MasterKeyResult = { key: Buffer } | { problem: string };

/**
 * VIGIL_VAULT_MASTER_KEY (base64 of 32 bytes) or VIGIL_VAULT_MASTER_KEY_FILE (a file
 * holding either the 32 raw bytes or their base64, e.g. a mounted Kubernetes secret).
 */
export function readMasterKey(source: MasterKeySource): MasterKeyResult {
  const inline = source.VIGIL_VAULT_MASTER_KEY?.trim();
  const file = source.VIGIL_VAULT_MASTER_KEY_FILE?.trim();
  if (inline && file) return { problem: 'both VIGIL_VAULT_MASTER_KEY and VIGIL_VAULT_MASTER_KEY_FILE are set; set only one' };
  if (inline) {
    if (!BASE64.test(inline)) return { problem: `VIGIL_VAULT_MASTER_KEY must be the base64 of ${KEY_BYTES} bytes (44 characters ending in =; got ${inline.length} characters)` };
    return { key: Buffer.from(inline, 'base64') };
  }
  if (file) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (error) {
      return { problem: `VIGIL_VAULT_MASTER_KEY_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    try {
      if (raw.length === KEY_BYTES) return { key: Buffer.from(raw) };
      const text = raw.toString('latin1').trim();
      if (BASE64.test(text)) return { key: Buffer.from(text, 'base64') };
      return { problem: `VIGIL_VAULT_MASTER_KEY_FILE ${file} must hold ${KEY_BYTES} raw bytes or their base64 (got ${raw.length} bytes that are neither)` };
    } finally {
      raw.fill(0);
    }
  }
  return { problem: `no master key: set VIGIL_VAULT_MASTER_KEY (base64 of ${KEY_BYTES} random bytes, e.g. openssl rand -base64 32) or VIGIL_VAULT_MASTER_KEY_FILE` };
}
