import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { formatVerifierKey, parseSignerKey, type NoteSigner } from '@vigil/merkle';

/** The log's signing key and the public verifier key that goes with it. */
export interface CheckpointKey {
  signer: NoteSigner;
  /** `<name>+<key id>+<base64>`: what auditors pass to `vigil audit verify --key`. */
  verifierKey: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Reads the C2SP signer key string (`PRIVATE+KEY+<name>+<id>+<base64>`, as generateNoteKeys
 * makes it) from `file`. Until the vault issue lands the key lives in this file; the error
 * names the file and what is wrong, never the key.
 */
export function loadCheckpointKey(file: string): CheckpointKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`VIGIL_AUDIT_SIGNING_KEY_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); create it with "vigil audit keygen <name>"`);
  }
  return checkpointKeyFrom(text, `VIGIL_AUDIT_SIGNING_KEY_FILE ${file}`);
}

export function checkpointKeyFrom(signerKey: string, where = 'signer key'): CheckpointKey {
  let signer: NoteSigner;
  try {
    signer = parseSignerKey(signerKey);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  // parseSignerKey checked the shape; the seed is the last '+' field after 0x01.
  const seed = Buffer.from(signerKey.split('+').slice(4).join('+'), 'base64').subarray(1);
  const publicKey = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
  return { signer, verifierKey: formatVerifierKey(signer.name, publicKey) };
}
