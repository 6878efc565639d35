import { badRequest } from '../vault.errors';

export const MAX_BATCH = 1000;
export const MAX_PLAINTEXT_BYTES = 32 * 1024;
const KEY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkKeyName(name: unknown): string {
  if (typeof name !== 'string' || !KEY_NAME.test(name)) throw badRequest('name', 'a transit key name is 1-64 of a-z 0-9 . _ - starting with a letter or digit');
  return name;
}

/** `{ <field> }` or `{ batch: [{ <field> }, ...] }`: the items, and whether the answer is a batch. */
export function batchItems(body: unknown, field: 'plaintext' | 'ciphertext'): { items: string[]; batch: boolean } {
  if (typeof body !== 'object' || body === null) throw badRequest('body', `must be { ${field} } or { batch: [{ ${field} }] }`);
  const b = body as { batch?: unknown; [k: string]: unknown };
  if (b.batch !== undefined) {
    if (!Array.isArray(b.batch) || b.batch.length === 0 || b.batch.length > MAX_BATCH) throw badRequest('batch', `must be a list of 1 to ${MAX_BATCH} items`);
    return { items: b.batch.map((item: unknown, i) => stringField(item, field, `batch[${i}].${field}`)), batch: true };
  }
  return { items: [stringField(b, field, field)], batch: false };
}

function stringField(item: unknown, field: string, name: string): string {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string') throw badRequest(name, `must be a string (got ${value === null ? 'null' : typeof value})`);
  return value;
}

/** Plaintext travels as base64 so any bytes can be encrypted. */
export function decodePlaintext(text: string, name: string): Buffer {
  if (!BASE64.test(text)) throw badRequest(name, 'must be standard padded base64 of the bytes to encrypt');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_PLAINTEXT_BYTES) throw badRequest(name, `must decode to at most ${MAX_PLAINTEXT_BYTES} bytes (got ${bytes.length})`);
  return bytes;
}
