import { BadGatewayException, Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@vigil/auth';
import { inTransaction } from '@vigil/database';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import type { Pool } from 'pg';
import type { AlerterConfig } from '../alerter.config';
import { AlerterMetrics } from '../alerter.metrics';
import { AuditRecorder } from '../audit/audit-recorder';
import { actorOf, conflict, IncidentService, notFound } from '../incidents/incident.service';
import type { IncidentRow } from '../incidents/incident-rows';
import { appendTimeline } from '../incidents/timeline';
import { GATEWAY_USERS_PATH, MITIGATIONS, type MitigationName } from './mitigation-actions';
import { callOwningService, type MitigationCall } from './mitigation-client';

export interface MitigationRequest {
  incidentId: string;
  who: Principal;
  /** The caller's `Authorization` header, forwarded to the owning service. */
  authorization: string;
  mitigation: MitigationName;
  /** A user id or transit key name; or, for the user actions, `{ username }` looked up at the gateway. */
  target: string | { username: string };
  note?: string;
  traceId?: string;
}

/**
 * Lock an account, revoke a user's sessions, rotate a key: from an open incident, by the
 * service that owns the thing. The attempt is on the timeline (committed) before the call,
 * so a failure or a crash mid-call still shows who tried what; the outcome follows as its
 * own entry and as the audit event. A failure of the owning service answers 502 naming it.
 */
@Injectable()
export class MitigationService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: AlerterConfig,
    private readonly incidents: IncidentService,
    private readonly audit: AuditRecorder,
    private readonly metrics: AlerterMetrics,
  ) {}

  async run(request: MitigationRequest) {
    const { incidentId: id, who, mitigation, note } = request;
    const spec = MITIGATIONS[mitigation];
    const named = typeof request.target === 'string' ? undefined : request.target.username;
    const subject: Record<string, string> = { mitigation, service: spec.service, target: named === undefined ? spec.resource(request.target as string) : `username:${named}` };
    await inTransaction(this.pool, async (client) => {
      const incident = (await client.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!incident) throw notFound(id);
      if (incident.state === 'resolved') throw conflict(id, incident.state, mitigation, 'it is resolved; mitigate from an open incident');
      await appendTimeline(client, id, { actor: actorOf(who), action: 'mitigation.requested', note, details: subject });
    });

    const baseUrl = spec.service === 'vault' ? this.config.VIGIL_ALERTER_VAULT_URL : this.config.VIGIL_ALERTER_GATEWAY_URL;
    const timeout = this.config.VIGIL_ALERTER_MITIGATION_TIMEOUT;
    let call: MitigationCall;
    if (named === undefined) {
      call = await callOwningService(spec.service, baseUrl, spec.path(request.target as string), request.authorization, timeout, request.traceId);
    } else {
      // The incident names people by username (a BRUTE_FORCE subject is `account:user:<name>`); the gateway's routes take ids.
      const found = await this.userIdOf(named, baseUrl, request.authorization, request.traceId);
      if ('userId' in found) {
        subject.target = spec.resource(found.userId);
        subject.username = named;
        call = await callOwningService(spec.service, baseUrl, spec.path(found.userId), request.authorization, timeout, request.traceId);
      } else call = found;
    }
    const outcome = call.ok ? 'success' : 'failure';
    const details = { ...subject, ...(call.status !== undefined ? { upstreamStatus: call.status } : {}), ...(call.ok ? { result: resultOf(call.body) } : { error: call.error ?? 'failed' }) };
    await inTransaction(this.pool, (client) => appendTimeline(client, id, { actor: actorOf(who), action: call.ok ? 'mitigation.succeeded' : 'mitigation.failed', details }));
    this.metrics.mitigations.inc({ action: mitigation, outcome });
    await this.audit.audit({
      actor: { type: who.type, id: who.id, roles: [...who.roles] },
      action: `incidents.mitigate.${mitigation}`,
      resource: `incident:${id}`,
      outcome,
      ...(call.ok ? {} : { reason: call.error }),
      ...(request.traceId ? { traceId: request.traceId } : {}),
      details: { ...details, ...(note ? { note } : {}) },
    });
    if (!call.ok) {
      throw new BadGatewayException({ error: 'mitigation_failed', service: spec.service, message: `${mitigation} of ${subject.target} failed: ${call.error}`, upstreamStatus: call.status ?? null });
    }
    return { mitigation: { ...subject, upstreamStatus: call.status, result: call.body }, incident: await this.incidents.get(id) };
  }

  private async userIdOf(username: string, baseUrl: string, authorization: string, traceId?: string): Promise<{ userId: string } | MitigationCall> {
    const list = await callOwningService('auth-gateway', baseUrl, GATEWAY_USERS_PATH, authorization, this.config.VIGIL_ALERTER_MITIGATION_TIMEOUT, traceId, 'GET');
    if (!list.ok) return list;
    const user = ((list.body as { users?: { id: string; username: string }[] })?.users ?? []).find((u) => u.username === username);
    return user ? { userId: user.id } : { ok: false, status: 404, error: `auth-gateway has no user named ${username}` };
  }
}

/** What the owning service answered, kept on the timeline: only flat scalar fields (counts, versions, flags). */
function resultOf(body: unknown): Record<string, string | number | boolean | null> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string | number | boolean | null] => entry[1] === null || ['string', 'number', 'boolean'].includes(typeof entry[1])));
}
