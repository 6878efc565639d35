import type { Pool } from 'pg';
import type { TrustedKeys, VerificationFailure } from './log-verifier';
import { verifyDatabaseOn, type VerifiedLogState } from './verify-database';

export interface VerificationRound {
  /** Entries verified in this round (appended since the previous one, or all at the first). */
  entries: number;
  /** Sum of the verified sizes of all logs after the round. */
  verifiedSize: number;
  /** The first problem of each failing log (empty: all verified). */
  failures: VerificationFailure[];
}

/**
 * The in-service verification: each round runs the offline verifier's checks on the service's
 * own database, incrementally. Per log it resumes from the state the previous round verified
 * (its compact range, recomputed from the leaves and kept in memory, never read back from
 * storage): the checkpoint of that size must still be stored and sign that state's root, then
 * every checkpoint and entry since is verified as `vigil audit verify` does (signatures, roots
 * recomputed from the entries, stored nodes, canonical leaves), so a rewrite of anything since
 * the last round, or of the last verified checkpoint, fails the round. What an incremental
 * round cannot see is a change to entries verified before; so the first round of a process, and
 * every `fullEvery`-th after it, verifies everything from entry 0. A log that fails keeps its
 * last good state, so the next round fails again until it is repaired.
 */
export class ScheduledVerifier {
  private readonly states = new Map<string, VerifiedLogState>();
  private rounds = 0;

  constructor(
    private readonly pool: Pool,
    /** The keys to trust, asked each round (the writer's signing key can change while it runs). */
    private readonly key: TrustedKeys | (() => TrustedKeys),
    private readonly originPrefix: string,
    /** Every how many rounds one starts from entry 0 again (0: only the first). */
    private readonly fullEvery = 0,
  ) {}

  async round(): Promise<VerificationRound> {
    if (this.fullEvery > 0 && this.rounds > 0 && this.rounds % this.fullEvery === 0) this.states.clear();
    this.rounds++;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const report = await verifyDatabaseOn(client, typeof this.key === 'function' ? this.key() : this.key, { originPrefix: this.originPrefix, from: this.states });
      for (const [logId, state] of report.states) this.states.set(logId, state);
      let verifiedSize = 0;
      for (const state of this.states.values()) verifiedSize += state.size;
      return { entries: report.entries, verifiedSize, failures: report.failures };
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
