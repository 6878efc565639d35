/** Why a signed note, key or checkpoint was refused. Stable strings. */
export type NoteFailure =
  /** Not a signed note: bad encoding, control characters, no signature block, a malformed line, too many signatures. */
  | 'MALFORMED_NOTE'
  /** A verifier or signer key string that does not parse, or whose key hash does not match its key. */
  | 'MALFORMED_KEY'
  /** Two trusted keys with the same name and key ID. */
  | 'AMBIGUOUS_KEY'
  /** A signature by a trusted key that does not verify: the note was altered or forged. */
  | 'INVALID_SIGNATURE'
  /** No signature by any trusted key (unknown keys only, or none trusted). */
  | 'NO_TRUSTED_SIGNATURE'
  /** A verified note whose text is not a C2SP checkpoint. */
  | 'MALFORMED_CHECKPOINT'
  /** A valid checkpoint of another log than the one expected. */
  | 'ORIGIN_MISMATCH';

/** The only error the note, key and checkpoint functions throw on bad input. */
export class NoteError extends Error {
  override readonly name = 'NoteError';

  constructor(
    readonly code: NoteFailure,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
