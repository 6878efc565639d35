import { canonicalJson } from './canonical-json';

/** The only leaf encoding so far; a new one gets a new byte and old leaves keep theirs. */
export const LEAF_ENCODING_V1 = 0x01;

/** What one leaf of an audit log records (see README.md "Leaf encoding"). */
export interface LeafContent {
  /** The log, `<base topic>-<partition>`. */
  log: string;
  /** Leaf index in that log, from 0. */
  seq: number;
  /** When the writer appended it, RFC 3339 UTC with milliseconds (`2026-12-03T17:30:00.123Z`). */
  arrivedAt: string;
  /** Where it came from: the base topic (no deployment prefix), partition and offset. */
  source: { topic: string; partition: number; offset: number };
  /** The event exactly as its contract's parse() returned it. */
  event: unknown;
}

/** Leaf bytes: 0x01 ‖ UTF-8 of the RFC 8785 canonical JSON of the LeafContent. */
export function encodeLeaf(content: LeafContent): Buffer {
  const json = canonicalJson({ ...content, v: LEAF_ENCODING_V1 });
  return Buffer.concat([Buffer.from([LEAF_ENCODING_V1]), Buffer.from(json, 'utf8')]);
}

/** The bytes of a leaf are not a v1 leaf, or not in canonical form. */
export class LeafDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeafDecodeError';
  }
}

/**
 * Reads a leaf back and checks it is byte-for-byte the canonical encoding of what it
 * says, so two different byte strings can never stand for the same entry.
 */
export function decodeLeaf(bytes: Uint8Array): LeafContent {
  if (bytes.length === 0) throw new LeafDecodeError('empty leaf');
  if (bytes[0] !== LEAF_ENCODING_V1) throw new LeafDecodeError(`unknown leaf encoding version 0x${bytes[0]!.toString(16).padStart(2, '0')} (this verifier knows 0x01)`);
  let text: string;
  let parsed: unknown;
  try {
    text = STRICT_UTF8.decode(bytes.subarray(1));
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LeafDecodeError(`leaf body is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new LeafDecodeError('leaf body is not a JSON object');
  const { v, ...content } = parsed as Record<string, unknown>;
  if (v !== LEAF_ENCODING_V1) throw new LeafDecodeError(`leaf field "v" is ${JSON.stringify(v)}, expected 1`);
  const leaf = content as unknown as LeafContent;
  if (typeof leaf.log !== 'string' || !Number.isSafeInteger(leaf.seq) || typeof leaf.arrivedAt !== 'string' || typeof leaf.source !== 'object' || leaf.source === null || !('event' in leaf)) {
    throw new LeafDecodeError('leaf body lacks one of "log", "seq", "arrivedAt", "source", "event"');
  }
  // Compared as text: the body decoded as strict UTF-8 and canonical JSON (never holding a lone
  // surrogate) map one-to-one to their bytes, so equal text is equal bytes, without re-encoding.
  if (canonicalJson({ ...leaf, v: LEAF_ENCODING_V1 }) !== text) throw new LeafDecodeError('leaf bytes are not the canonical (RFC 8785) encoding of their content');
  return leaf;
}

// One decoder for every leaf: `fatal` rejects invalid UTF-8 instead of replacing it; no BOM is skipped.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
