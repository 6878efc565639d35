import { parseVerifierKey, signCheckpoint } from '@vigil/merkle';
import type { CheckpointKey } from './signing-key';

/**
 * The extension line a key handover adds to a checkpoint: `vigil-key-handover <verifier key>`.
 * The checkpoint is signed by the old key and by the new one, so a verifier that trusts the old
 * key learns the new one from a note the old key signed (LogVerifier follows it).
 */
export const KEY_HANDOVER_PREFIX = 'vigil-key-handover ';

/**
 * The writer's checkpoint signing key, which can change while it runs (a rotation in the
 * vault). After a rotation, every checkpoint this process signs is cosigned by the key it
 * replaced and carries the handover line naming the new verifier key; a restart drops the old
 * key. A log's latest checkpoint may be signed by any key in `trustedKeys` for the writer to
 * extend it: the current key, the keys it replaced while running, and the keys an operator
 * listed (VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS) after a rotation that came with a restart.
 */
export class CheckpointSigning {
  private key: CheckpointKey;
  private previous: CheckpointKey | undefined;
  private readonly replaced: string[] = [];

  constructor(
    initial: CheckpointKey,
    private readonly previousVerifierKeys: readonly string[] = [],
  ) {
    previousVerifierKeys.forEach((key, i) => {
      try {
        parseVerifierKey(key);
      } catch (error) {
        throw new Error(`VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS[${i}]: ${(error as Error).message}`);
      }
    });
    this.key = initial;
  }

  get current(): CheckpointKey {
    return this.key;
  }

  /** Verifier keys a log's latest checkpoint may be signed by: the current one first. */
  get trustedKeys(): string[] {
    return [...new Set([this.key.verifierKey, ...this.replaced, ...this.previousVerifierKeys])];
  }

  /** Signs with `next` from now on; false if it is the key already in use (nothing changes). */
  rotate(next: CheckpointKey): boolean {
    if (next.verifierKey === this.key.verifierKey) return false;
    this.previous = this.key;
    this.replaced.unshift(this.key.verifierKey);
    this.key = next;
    return true;
  }

  /** The signed checkpoint note: by the current key, and after a rotation also by the replaced key with the handover line. */
  sign(checkpoint: { origin: string; size: number; rootHash: Uint8Array }): string {
    if (!this.previous) return signCheckpoint(checkpoint, [this.key.signer]);
    return signCheckpoint({ ...checkpoint, extensions: [`${KEY_HANDOVER_PREFIX}${this.key.verifierKey}`] }, [this.previous.signer, this.key.signer]);
  }
}
