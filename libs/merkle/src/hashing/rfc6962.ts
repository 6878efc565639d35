import { createHash, hash } from 'node:crypto';

/** Bytes in every hash of the tree (SHA-256). */
export const HASH_SIZE = 32;

// Domain separation (RFC 6962 §2.1): a leaf can never be passed off as an interior node.
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256("") — the root of the empty tree. A fresh copy on every call. */
export function emptyRootHash(): Buffer {
  return createHash('sha256').digest();
}

/** The leaf hash of one log entry: SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Buffer {
  if (!(entry instanceof Uint8Array)) {
    throw new TypeError(`leafHash: entry must be a Uint8Array or Buffer; received ${describeKind(entry)}`);
  }
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/**
 * The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). The children are not
 * length-checked here (the RFC 6962 known-answer tests hash short strings); callers that
 * take hashes from outside check them first.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    // The common case, once per appended leaf and proof step: the one-shot hash over a reused
    // buffer costs about two thirds of a streaming Hash object (synchronous, so reuse is safe).
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 1 + HASH_SIZE);
    return hash('sha256', NODE_INPUT, 'buffer');
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : 'a non-integer number';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : `a ${typeof value}`;
}
