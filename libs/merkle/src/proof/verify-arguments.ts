import { describeKind, HASH_SIZE } from '../hashing/rfc6962';
import { isTreeInteger } from '../tree/tree-math';
import { ProofError } from './proof-error';

// Shape checks shared by the verifiers: they turn anything a caller (or a JSON body)
// can pass into a ProofError, never a TypeError from deeper down.

export function requireTreeInteger(value: unknown, field: string): number {
  if (!isTreeInteger(value)) {
    throw new ProofError('INVALID_ARGUMENT', `${field} must be an integer in [0, 2^53); received ${describeKind(value)}`);
  }
  return value;
}

export function requireHash(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ProofError('INVALID_ARGUMENT', `${field} must be a Uint8Array or Buffer; received ${describeKind(value)}`);
  }
  if (value.length !== HASH_SIZE) {
    throw new ProofError('BAD_HASH_LENGTH', `${field} must be ${HASH_SIZE} bytes (SHA-256); received ${value.length} bytes`);
  }
  return value;
}

export function requireBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ProofError('INVALID_ARGUMENT', `${field} must be a Uint8Array or Buffer; received ${describeKind(value)}`);
  }
  return value;
}

export function requireProof(value: unknown, expectedLength: number): readonly Uint8Array[] {
  if (!Array.isArray(value)) {
    throw new ProofError('INVALID_ARGUMENT', `proof must be an array of ${HASH_SIZE}-byte hashes; received ${describeKind(value)}`);
  }
  if (value.length !== expectedLength) {
    throw new ProofError('WRONG_PROOF_LENGTH', `proof has ${value.length} hashes where these sizes call for ${expectedLength}; it was built for another index or size, or cut or padded`);
  }
  value.forEach((element, i) => requireHash(element, `proof[${i}]`));
  return value;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
