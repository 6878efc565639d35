import { isIP } from 'node:net';
import { copyGuardedJsonObject, isRfc3339, isText } from '../validation/fast-checks';
import { AUDIT_ACTION_PATTERN } from './audit-event.schema';
import { ACTOR_TYPES, AUDIT_OUTCOMES, type AuditActor, type AuditEvent } from './audit-event.type';

const ACTOR_TYPE_SET: ReadonlySet<unknown> = new Set(ACTOR_TYPES);
const OUTCOMES: ReadonlySet<unknown> = new Set(AUDIT_OUTCOMES);

/**
 * audit.events.v1 without zod, for events that are certainly valid: returns exactly what
 * auditEventSchema (with parse's dropping of undefined fields) returns for them — fresh actor,
 * roles and details, in the schema's field order — or undefined to let the schema decide and
 * word the problem. Optional fields sent as null, and details the secret guard might object
 * to (see copyGuardedJsonObject), are left to zod.
 */
export function fastParseAuditEvent(input: unknown): AuditEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const { eventId, ts, service, actor, action, resource, outcome, reason, traceId, details } = input as Record<string, unknown>;
  if (!isText(eventId) || !isRfc3339(ts, false) || !isText(service) || !isText(resource) || !OUTCOMES.has(outcome)) return undefined;
  if (typeof action !== 'string' || !AUDIT_ACTION_PATTERN.test(action)) return undefined;
  if (reason !== undefined && !isText(reason)) return undefined;
  if (traceId !== undefined && !isText(traceId)) return undefined;
  const parsedActor = fastParseActor(actor);
  if (parsedActor === undefined) return undefined;
  let parsedDetails;
  if (details !== undefined) {
    parsedDetails = copyGuardedJsonObject(details);
    if (parsedDetails === undefined) return undefined;
  }

  const event: AuditEvent = { eventId, ts, service, actor: parsedActor, action, resource, outcome: outcome as AuditEvent['outcome'] };
  if (reason !== undefined) event.reason = reason;
  if (traceId !== undefined) event.traceId = traceId;
  if (parsedDetails !== undefined) event.details = parsedDetails;
  return event;
}

function fastParseActor(input: unknown): AuditActor | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const { type, id, roles, ip } = input as Record<string, unknown>;
  if (!ACTOR_TYPE_SET.has(type) || !isText(id)) return undefined;
  const actor: AuditActor = { type: type as AuditActor['type'], id };
  if (roles !== undefined) {
    if (!Array.isArray(roles)) return undefined;
    const copy: string[] = [];
    for (let i = 0; i < roles.length; i++) {
      const role: unknown = roles[i];
      if (!isText(role)) return undefined;
      copy.push(role);
    }
    actor.roles = copy;
  }
  if (ip !== undefined) {
    if (typeof ip !== 'string' || isIP(ip) === 0) return undefined;
    actor.ip = ip;
  }
  return actor;
}
