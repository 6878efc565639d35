import type { JsonObject } from '../validation/free-form-object.schema';

export const ACTOR_TYPES = ['user', 'service', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditActor {
  type: ActorType;
  id: string;
  roles?: string[];
  /** IPv4 or IPv6 address in text form. */
  ip?: string;
}

/** An audit.events.v1 event: one security-relevant action of one service. Key: service. */
export interface AuditEvent {
  eventId: string;
  /** RFC 3339. */
  ts: string;
  /** The emitting service. */
  service: string;
  actor: AuditActor;
  /** Dotted lowercase verb phrase: `auth.login`, `secrets.read`, `alerts.acknowledge`. */
  action: string;
  /** What it was done to: `secret:db/audit-writer`, `alert:<id>`. */
  resource: string;
  outcome: AuditOutcome;
  /** Why it was denied or failed. */
  reason?: string;
  /** Correlation id across services. */
  traceId?: string;
  /** Free-form JSON; never a secret value, password, token or key (parse rejects credential-like keys and values). */
  details?: JsonObject;
}
