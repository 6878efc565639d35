import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '@vigil/auth';
import type { JsonObject } from '@vigil/contracts';
import { PG_POOL } from '@vigil/service';
import type { Pool, PoolClient } from 'pg';
import { AlerterMetrics } from '../alerter.metrics';
import { AuditRecorder } from '../audit/audit-recorder';
import { inTransaction } from '@vigil/database';
import { Routing } from '../routing/routing';
import { AlerterWorker } from '../worker/alerter.worker';
import { escalationApplies, fireEscalation } from '../worker/escalation';
import { incidentView, type IncidentRow } from './incident-rows';
import { appendTimeline } from './timeline';

export interface IncidentFilter {
  state?: string;
  severity?: string;
  type?: string;
  assignee?: string;
  limit: number;
}

/**
 * The incident lifecycle: triggered → acknowledged → resolved, plus assign, note and a manual
 * escalation. Each action locks the incident, writes the timeline and the audit event in one
 * transaction (the audit event is on the broker before the commit), and a state change is
 * due for notification at once (no group wait).
 */
@Injectable()
export class IncidentService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly routing: Routing,
    private readonly audit: AuditRecorder,
    private readonly metrics: AlerterMetrics,
    private readonly worker: AlerterWorker,
  ) {}

  async list(filter: IncidentFilter) {
    const where: string[] = [];
    const values: unknown[] = [];
    for (const [column, value] of [['state', filter.state], ['severity', filter.severity], ['type', filter.type], ['assignee', filter.assignee]] as const) {
      if (value === undefined) continue;
      values.push(value);
      where.push(`${column} = $${values.length}`);
    }
    values.push(filter.limit);
    const rows = await this.pool.query<IncidentRow>(`SELECT * FROM alerter.incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${values.length}`, values);
    return rows.rows.map(incidentView);
  }

  async get(id: string) {
    const incident = (await this.pool.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE id = $1', [id])).rows[0];
    if (!incident) throw notFound(id);
    const [timeline, alerts, deliveries] = await Promise.all([
      this.pool.query('SELECT at, actor, action, note, details FROM alerter.incident_timeline WHERE incident_id = $1 ORDER BY id', [id]),
      this.pool.query(
        `SELECT a.fingerprint, a.source, a.severity, a.type, a.summary, a.labels, a.status, a.first_seen AS "firstSeen", a.last_seen AS "lastSeen", a.count::int AS count
           FROM alerter.incident_alerts l JOIN alerter.alerts a ON a.id = l.alert_id WHERE l.incident_id = $1 ORDER BY l.linked_at`,
        [id],
      ),
      this.pool.query(
        `SELECT receiver, state, kind, idempotency_key AS "idempotencyKey", status, attempts, outcome, last_status_code AS "lastStatusCode", created_at AS "createdAt", delivered_at AS "deliveredAt"
           FROM alerter.deliveries WHERE incident_id = $1 ORDER BY id`,
        [id],
      ),
    ]);
    return { ...incidentView(incident), alerts: alerts.rows, timeline: timeline.rows, deliveries: deliveries.rows };
  }

  acknowledge(id: string, who: Principal, note?: string) {
    return this.act(id, who, 'incidents.acknowledge', note, async (client, incident) => {
      if (incident.state !== 'triggered') throw conflict(id, incident.state, 'acknowledge', 'only a triggered incident can be acknowledged');
      // An if-not-resolved policy keeps escalating an acknowledged incident.
      const keepEscalating = escalationApplies(this.routing, { labels: incident.labels, state: 'acknowledged' });
      await client.query(
        `UPDATE alerter.incidents SET state = 'acknowledged', acknowledged_at = now(), next_escalation_at = CASE WHEN $2 THEN next_escalation_at END, notify_at = now() WHERE id = $1`,
        [id, keepEscalating],
      );
      this.metrics.timeToAcknowledge.observe({ severity: incident.severity }, (Date.now() - incident.created_at.getTime()) / 1000);
      return { action: 'incident.acknowledged' };
    });
  }

  resolve(id: string, who: Principal, note?: string) {
    return this.act(id, who, 'incidents.resolve', note, async (client, incident) => {
      if (incident.state === 'resolved') throw conflict(id, incident.state, 'resolve', 'it is already resolved');
      await client.query(`UPDATE alerter.incidents SET state = 'resolved', resolved_at = now(), next_escalation_at = NULL, notify_at = now() WHERE id = $1`, [id]);
      return { action: 'incident.resolved' };
    });
  }

  assign(id: string, who: Principal, assignee: string, note?: string) {
    return this.act(id, who, 'incidents.assign', note, async (client, incident) => {
      if (incident.state === 'resolved') throw conflict(id, incident.state, 'assign', 'it is resolved');
      await client.query('UPDATE alerter.incidents SET assignee = $2 WHERE id = $1', [id, assignee]);
      return { action: 'incident.assigned', details: { assignee, previous: incident.assignee } };
    });
  }

  note(id: string, who: Principal, note: string) {
    return this.act(id, who, 'incidents.note', note, async () => ({ action: 'incident.noted' }));
  }

  escalate(id: string, who: Principal, note?: string) {
    return this.act(id, who, 'incidents.escalate', note, async (client, incident) => {
      if (incident.state === 'resolved') throw conflict(id, incident.state, 'escalate', 'it is resolved');
      const level = await fireEscalation(client, this.routing, incident, actorOf(who), note);
      if (level === undefined) throw conflict(id, incident.state, 'escalate', `its escalation policy has no step after level ${incident.escalation_level}`);
      this.metrics.escalations.inc({ level: String(level) });
      return { details: { level } };
    });
  }

  private async act(
    id: string,
    who: Principal,
    auditAction: string,
    note: string | undefined,
    change: (client: PoolClient, incident: IncidentRow) => Promise<{ action?: string; details?: JsonObject }>,
  ) {
    await inTransaction(this.pool, async (client) => {
      const incident = (await client.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!incident) throw notFound(id);
      const { action, details } = await change(client, incident);
      // fireEscalation writes its own timeline entry.
      if (action) await appendTimeline(client, id, { actor: actorOf(who), action, note, details });
      await this.audit.audit({
        actor: { type: who.type, id: who.id, roles: [...who.roles] },
        action: auditAction,
        resource: `incident:${id}`,
        outcome: 'success',
        details: { ...(details ?? {}), ...(note ? { note } : {}) },
      });
    });
    // A state change or an escalation is due now.
    this.worker.wake();
    return this.get(id);
  }
}

export function actorOf(who: Principal): string {
  return `${who.type}:${who.id}`;
}

export function notFound(id: string) {
  return new NotFoundException({ error: 'not_found', message: `incident ${id} does not exist` });
}

export function conflict(id: string, state: string, verb: string, why: string) {
  return new ConflictException({ error: 'invalid_state', message: `cannot ${verb} incident ${id} (state ${state}): ${why}`, state });
}
