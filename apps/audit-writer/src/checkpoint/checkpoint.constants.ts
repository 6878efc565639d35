/** Nest token of the CheckpointKey (signer + verifier key), loaded from VIGIL_AUDIT_SIGNING_KEY_FILE. */
export const CHECKPOINT_KEY = Symbol('CHECKPOINT_KEY');
