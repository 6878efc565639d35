import type { Severity } from '@vigil/contracts';

const DAY_MS = 86_400_000;

/**
 * When the post-incident review is due, by severity: CRITICAL (SEV-1) 3 days, HIGH (SEV-2)
 * 5 days, MEDIUM (SEV-3) 10 days; LOW (SEV-4) needs none. Stored on the incident at creation.
 */
export const POST_INCIDENT_DAYS: Record<Severity, number | null> = { CRITICAL: 3, HIGH: 5, MEDIUM: 10, LOW: null };

export function postIncidentDue(severity: Severity, createdAt: Date): Date | null {
  const days = POST_INCIDENT_DAYS[severity];
  return days === null ? null : new Date(createdAt.getTime() + days * DAY_MS);
}
