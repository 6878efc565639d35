import { NoteError } from '../note/note-error';
import type { NoteSigner, NoteVerifier } from '../note/note-keys';
import { signNote, verifyNote, type VerifiedNote } from '../note/signed-note';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint';

/** A checkpoint as a signed note, ready to publish. The log's key name should be its origin (the spec's SHOULD). */
export function signCheckpoint(checkpoint: Parameters<typeof formatCheckpoint>[0], signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: VerifiedNote;
}

/**
 * Verifies a signed checkpoint from log `origin`: signed by a trusted key (verifyNote),
 * well-formed, and of that log — a checkpoint another log signed with the same key must
 * not pass for this one's. Throws NoteError on any failure.
 */
export function verifyCheckpoint(note: string | Uint8Array, options: { trusted: readonly (NoteVerifier | string)[]; origin: string }): VerifiedCheckpoint {
  if (typeof options?.origin !== 'string' || options.origin.length === 0) {
    throw new NoteError('ORIGIN_MISMATCH', 'verifyCheckpoint needs the expected origin (the log the caller means)');
  }
  const verified = verifyNote(note, options.trusted);
  const checkpoint = parseCheckpoint(verified.text);
  if (checkpoint.origin !== options.origin) {
    throw new NoteError('ORIGIN_MISMATCH', `checkpoint of log ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(options.origin)}`);
  }
  return { checkpoint, note: verified };
}
