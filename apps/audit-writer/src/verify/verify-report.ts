import type { VerificationFailure } from './log-verifier';

export interface VerifyOptions {
  /** Origins must be `<originPrefix><logId>` (default `vigil.audit/`). */
  originPrefix?: string;
  /** Total entries expected, when known (for a progress bar). */
  onStart?: (totalEntries: number | undefined) => void;
  onProgress?: (entriesDone: number) => void;
}

export interface VerifyReport {
  logs: Array<{ logId: string; size: number; checkpoints: number }>;
  /** The first problem of each failing log. */
  failures: VerificationFailure[];
  entries: number;
}
