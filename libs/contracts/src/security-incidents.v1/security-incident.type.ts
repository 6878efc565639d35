import type { Severity } from '../common/severity.constants';
import type { JsonObject } from '../validation/free-form-object.schema';

export const INCIDENT_TYPES = [
  'BRUTE_FORCE',
  'MFA_FAILURE_BURST',
  'PRIVILEGE_ESCALATION_ATTEMPT',
  'UNAUTHORIZED_SECRET_ACCESS',
  'TOKEN_REPLAY',
  'AUDIT_INTEGRITY_VIOLATION',
  'ANOMALOUS_ACCESS',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** A security.incidents.v1 event: an anomaly that needs a person. Key: incidentId. */
export interface SecurityIncident {
  incidentId: string;
  /** RFC 3339. */
  ts: string;
  type: IncidentType;
  severity: Severity;
  /** Who or what: `user:alice`, `service:vault`, `log:audit.events.v1-0`. */
  subject: string;
  summary: string;
  /** Free-form JSON; like audit details it never holds a credential (parse rejects credential-like keys and values). */
  evidence: JsonObject;
}
