import type { Pool, PoolClient } from 'pg';
import type { Labels } from '../routing/routing';
import type { IncidentState, Notification, NotificationAlert } from '../receivers/receiver';

export interface IncidentRow {
  id: string;
  group_key: string;
  title: string;
  severity: string;
  type: string;
  labels: Labels;
  state: IncidentState;
  assignee: string | null;
  escalation_level: number;
  next_escalation_at: Date | null;
  notify_at: Date | null;
  notified_state: string | null;
  notify_round: number;
  post_incident_due: Date | null;
  created_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
}

export function incidentView(row: IncidentRow) {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    type: row.type,
    labels: row.labels,
    state: row.state,
    assignee: row.assignee,
    escalationLevel: row.escalation_level,
    nextEscalationAt: row.next_escalation_at?.toISOString() ?? null,
    postIncidentDue: row.post_incident_due?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
  };
}

/** The incident and (up to 50 of) its alerts, as a receiver gets them for the given state. */
export async function loadNotification(db: Pool | PoolClient, incidentId: string, state: IncidentState, kind: Notification['kind'], idempotencyKey: string): Promise<Notification | undefined> {
  const incident = (await db.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE id = $1', [incidentId])).rows[0];
  if (!incident) return undefined;
  const alerts = await db.query<{ fingerprint: string; labels: Labels; summary: string; status: 'firing' | 'resolved'; first_seen: Date; last_seen: Date; count: string }>(
    `SELECT a.fingerprint, a.labels, a.summary, a.status, a.first_seen, a.last_seen, a.count
       FROM alerter.incident_alerts l JOIN alerter.alerts a ON a.id = l.alert_id
      WHERE l.incident_id = $1 ORDER BY l.linked_at LIMIT 50`,
    [incidentId],
  );
  const view = incidentView(incident);
  return {
    idempotencyKey,
    kind,
    state,
    incident: { ...view, labels: incident.labels },
    alerts: alerts.rows.map(
      (a): NotificationAlert => ({ fingerprint: a.fingerprint, labels: a.labels, summary: a.summary, status: a.status, firstSeen: a.first_seen.toISOString(), lastSeen: a.last_seen.toISOString(), count: Number(a.count) }),
    ),
  };
}
