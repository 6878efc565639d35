import { SEAL_OVERHEAD } from '../crypto/aes-gcm';

const PREFIX = 'vigil:v';
// Canonical standard base64 (RFC 4648 §4, padded): one text per blob, so a ciphertext can be compared as a string.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FORMAT = /^vigil:v([1-9][0-9]{0,8}):(.+)$/s;

/** `vigil:v<N>:<base64(nonce ‖ ciphertext ‖ tag)>`: the key version travels with the data. */
export function formatCiphertext(version: number, sealed: Buffer): string {
  return `${PREFIX}${version}:${sealed.toString('base64')}`;
}

/** A transit ciphertext that is not `vigil:v<N>:<base64>`; the message never repeats the text. */
export class CiphertextFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CiphertextFormatError';
  }
}

export function parseCiphertext(text: string): { version: number; sealed: Buffer } {
  if (typeof text !== 'string') throw new CiphertextFormatError(`ciphertext: must be a string like vigil:v1:<base64> (got ${text === null ? 'null' : typeof text})`);
  const match = FORMAT.exec(text);
  if (!match) throw new CiphertextFormatError(`ciphertext: must look like vigil:v<version>:<base64> (got ${text.length} characters that do not)`);
  const body = match[2];
  if (!BASE64.test(body)) throw new CiphertextFormatError('ciphertext: the part after vigil:v<version>: is not canonical base64');
  const sealed = Buffer.from(body, 'base64');
  if (sealed.length < SEAL_OVERHEAD) throw new CiphertextFormatError(`ciphertext: ${sealed.length} bytes is too short for a nonce and a tag (${SEAL_OVERHEAD})`);
  return { version: Number(match[1]), sealed };
}
