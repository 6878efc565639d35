import { randomUUID } from 'node:crypto';
import type { SecurityIncident } from '@vigil/contracts';

/** What was found wrong with a log, by the writer or the offline verifier. */
export interface IntegrityProblem {
  logId: string;
  /** Human-readable: where and what (e.g. "entry 4: missing: the next stored entry is 5"). */
  problem: string;
  seq?: number;
  treeSize?: number;
  /** Who found it: `audit-writer` (at append time) or `vigil audit verify`. */
  detectedBy: string;
}

/** The security.incidents.v1 event for a tampered audit log: CRITICAL, subject `log:<logId>`. */
export function integrityIncident(problem: IntegrityProblem, now = new Date()): SecurityIncident {
  return {
    incidentId: `audit-integrity-${randomUUID()}`,
    ts: now.toISOString(),
    type: 'AUDIT_INTEGRITY_VIOLATION',
    severity: 'CRITICAL',
    subject: `log:${problem.logId}`,
    summary: `Audit log ${problem.logId} failed verification: ${problem.problem}`.slice(0, 500),
    evidence: {
      logId: problem.logId,
      problem: problem.problem,
      detectedBy: problem.detectedBy,
      ...(problem.seq !== undefined ? { seq: problem.seq } : {}),
      ...(problem.treeSize !== undefined ? { treeSize: problem.treeSize } : {}),
    },
  };
}

/** The stored state of a log does not match its own latest signed checkpoint: the writer refuses to extend it. */
export class LogIntegrityError extends Error {
  constructor(
    readonly logId: string,
    readonly treeSize: number,
    readonly problem: string,
  ) {
    super(`audit log ${logId} at size ${treeSize}: ${problem}; appending stopped — run "vigil audit verify" against this database`);
    this.name = 'LogIntegrityError';
  }
}
