/** Nest token of the CheckpointSigning (the signing key in use and the keys it replaced), from the vault or VIGIL_AUDIT_SIGNING_KEY_FILE. */
export const CHECKPOINT_KEY = Symbol('CHECKPOINT_KEY');
