import { z } from 'zod';
import { freeFormObject } from '../validation/free-form-object.schema';
import { ipAddress, optional, patterned, text, timestamp } from '../validation/fields.schema';
import { ACTOR_TYPES, AUDIT_OUTCOMES, type AuditEvent } from './audit-event.type';

/** At least two dot-separated lowercase segments, e.g. `auth.login`, `auth.mfa_check`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

const actor = z.object({
  type: z.enum(ACTOR_TYPES),
  id: text(),
  roles: optional(z.array(text())),
  ip: optional(ipAddress()),
});

/** audit.events.v1 event. `details` is checked for credentials (see secret-guard.ts). */
export const auditEventSchema: z.ZodType<AuditEvent> = z.object({
  eventId: text(),
  ts: timestamp(),
  service: text(),
  actor,
  action: patterned(AUDIT_ACTION_PATTERN, 'a dotted lowercase action such as auth.login or secrets.read'),
  resource: text(),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: optional(text()),
  traceId: optional(text()),
  details: optional(freeFormObject({ secretsForbiddenIn: 'audit details' })),
});
