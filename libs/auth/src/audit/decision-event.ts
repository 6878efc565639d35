import type { AuditActor, AuditEvent, JsonObject } from '@vigil/contracts';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Decision } from '../rbac/rbac-policy';
import { AuthError } from '../token/auth-error';
import type { Principal } from '../token/principal.type';

/** The audit action of every authorization decision, at the gateway and in every service. */
export const AUTHZ_DECISION_ACTION = 'authz.decision';

const MAX_REASON = 300;
// RFC 6750 b64token after the scheme.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** What an authorization point concluded about one request, before it is audited and answered. */
export type AuthzOutcome =
  | { kind: 'allowed'; principal: Principal; decision: Decision }
  | { kind: 'denied'; principal: Principal; decision: Decision }
  | { kind: 'unauthenticated'; error: AuthError };

/** The token of an `Authorization: Bearer <token>` header, or the AuthError that says why there is none. */
export function bearerToken(header: string | undefined): string | AuthError {
  if (header === undefined || header === '') return new AuthError('MISSING_TOKEN', 'no Authorization: Bearer header');
  const match = BEARER.exec(header);
  return match ? match[1] : new AuthError('MALFORMED', 'the Authorization header is not "Bearer <token>"');
}

export interface DecisionEventInput {
  service: string;
  permission: string;
  policyVersion: number;
  outcome: AuthzOutcome;
  /** What was asked for, e.g. `secret:db/password` or `route:GET /api/alerter/api/incidents`. */
  resource: string;
  ip?: string;
  traceId?: string;
}

/**
 * The audit.events.v1 event of one decision (allowed or denied, bad tokens included), the
 * same wherever the decision is made: the guard in each service and the gateway's proxy.
 * Never the token.
 */
export function decisionEvent({ service, permission, policyVersion, outcome, resource, ip, traceId }: DecisionEventInput): AuditEvent {
  const details: JsonObject = { permission, policyVersion };
  let actor: AuditActor;
  let reason: string;
  if (outcome.kind === 'unauthenticated') {
    actor = { type: 'user', id: 'anonymous' };
    reason = `${outcome.error.code}: ${outcome.error.message}`;
    details['code'] = outcome.error.code;
  } else {
    const { principal, decision } = outcome;
    actor = { type: principal.type, id: principal.id, roles: [...principal.roles] };
    reason = decision.reason;
    if (decision.matchedRule) details['matchedRule'] = { ...decision.matchedRule };
    if (decision.stepUpRequired) details['stepUpRequired'] = true;
    if (principal.tokenId) details['tokenId'] = principal.tokenId;
    if (principal.sessionId) details['sessionId'] = principal.sessionId;
  }
  if (ip && isIP(ip)) actor.ip = ip;
  const event: AuditEvent = {
    eventId: randomUUID(),
    ts: new Date().toISOString(),
    service,
    actor,
    action: AUTHZ_DECISION_ACTION,
    resource,
    outcome: outcome.kind === 'allowed' ? 'allowed' : 'denied',
    reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
    details,
  };
  if (traceId && /^[\w.:-]{1,128}$/.test(traceId)) event.traceId = traceId;
  return event;
}
