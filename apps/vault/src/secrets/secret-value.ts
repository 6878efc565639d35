import { badRequest } from '../vault.errors';

export const MAX_SECRET_BYTES = 64 * 1024;
export const MAX_SECRET_KEYS = 100;

/** A secret's value: an object of named string fields (`{ password: '...', username: '...' }`). */
export type SecretData = Record<string, string>;

/** The encoded value, checked; errors name the field and kind, never a value. */
export function encodeSecretData(data: unknown): Buffer {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badRequest('data', `must be an object of string fields (got ${Array.isArray(data) ? 'array' : data === null ? 'null' : typeof data})`);
  const entries = Object.entries(data);
  if (entries.length === 0 || entries.length > MAX_SECRET_KEYS) throw badRequest('data', `must have 1 to ${MAX_SECRET_KEYS} fields (got ${entries.length})`);
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(key)) throw badRequest('data', 'field names must be 1-128 of A-Z a-z 0-9 _ . -');
    if (typeof value !== 'string') throw badRequest(`data.${key}`, `must be a string (got ${value === null ? 'null' : typeof value})`);
  }
  const encoded = Buffer.from(JSON.stringify(data), 'utf8');
  if (encoded.length > MAX_SECRET_BYTES) throw badRequest('data', `must be at most ${MAX_SECRET_BYTES} bytes as JSON (got ${encoded.length})`);
  return encoded;
}

export function decodeSecretData(plaintext: Buffer): SecretData {
  return JSON.parse(plaintext.toString('utf8')) as SecretData;
}
