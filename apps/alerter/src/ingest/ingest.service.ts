import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { AlerterConfig } from '../alerter.config';
import { AlerterBootstrap } from '../alerter.bootstrap';
import { AlerterMetrics } from '../alerter.metrics';
import { AuditRecorder } from '../audit/audit-recorder';
import { inTransaction } from '@vigil/database';
import type { IncidentRow } from '../incidents/incident-rows';
import { postIncidentDue } from '../incidents/post-incident';
import { appendTimeline } from '../incidents/timeline';
import { Routing } from '../routing/routing';
import { matchesAll, type Matcher } from '../silences/silence-matcher';
import { AlerterWorker } from '../worker/alerter.worker';
import type { NormalizedAlert } from './normalized-alert';

export type IngestOutcome = 'duplicate-event' | 'repeat' | 'silenced' | 'incident-created' | 'incident-joined' | 'resolved' | 'incident-resolved';

/**
 * Every source's alerts go through here. One transaction per alert: the event id guards
 * against redelivery, the fingerprint upsert turns a repeat into last_seen + count, and only
 * an alert without an open incident opens or joins one (and only a new incident schedules a page).
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: AlerterConfig,
    private readonly routing: Routing,
    private readonly bootstrap: AlerterBootstrap,
    private readonly metrics: AlerterMetrics,
    private readonly worker: AlerterWorker,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * A batch in one transaction and, for the repeats, two statements: the new event ids
   * (redeliveries drop out), then one multi-row upsert by fingerprint that moves last_seen and
   * adds the batch's count. Only a fingerprint without an open incident goes further (silences,
   * opening or joining an incident). Rows are locked in fingerprint order, so concurrent
   * batches (the consumer, the webhook, replicas) cannot deadlock on them.
   */
  async ingestAll(alerts: NormalizedAlert[]): Promise<IngestOutcome[]> {
    await this.bootstrap.ready;
    if (alerts.length === 0) return [];
    const outcomes = await inTransaction(this.pool, (client) => this.apply(client, alerts));
    alerts.forEach((alert, i) => this.metrics.alertsReceived.inc({ source: alert.source, outcome: outcomes[i] ?? 'repeat' }));
    // A resolve is a state change (no group wait); a new incident is due at once only without one.
    if (outcomes.includes('incident-resolved') || (this.config.VIGIL_ALERTER_GROUP_WAIT === 0 && outcomes.includes('incident-created'))) this.worker.wake();
    return outcomes;
  }

  private async apply(client: PoolClient, alerts: NormalizedAlert[]): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = alerts.map(() => 'duplicate-event');
    const fresh = new Set(
      (
        await client.query<{ event_id: string }>(
          'INSERT INTO alerter.alert_events (event_id, fingerprint) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING event_id',
          [alerts.map((a) => a.eventId), alerts.map((a) => a.fingerprint)],
        )
      ).rows.map((row) => row.event_id),
    );
    // The batch's new events by fingerprint, in arrival order (an event id twice in one batch counts once).
    const groups = new Map<string, { indexes: number[]; alerts: NormalizedAlert[] }>();
    alerts.forEach((alert, i) => {
      if (!fresh.delete(alert.eventId)) return;
      const group = groups.get(alert.fingerprint) ?? { indexes: [], alerts: [] };
      group.indexes.push(i);
      group.alerts.push(alert);
      groups.set(alert.fingerprint, group);
    });
    if (groups.size === 0) return outcomes;
    const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const first = ordered.map(([, g]) => g.alerts[0] as NormalizedAlert);
    const last = ordered.map(([, g]) => g.alerts[g.alerts.length - 1] as NormalizedAlert);
    const upserted = await client.query<{ id: string; fingerprint: string; incident_id: string | null; incident_state: string | null }>(
      `INSERT INTO alerter.alerts AS a (fingerprint, source, severity, type, summary, labels, payload, status, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[], $9::bigint[])
       ON CONFLICT (fingerprint) DO UPDATE SET last_seen = now(), count = a.count + excluded.count, status = excluded.status, payload = excluded.payload
       RETURNING a.id, a.fingerprint, a.incident_id, (SELECT i.state FROM alerter.incidents i WHERE i.id = a.incident_id) AS incident_state`,
      [
        first.map((a) => a.fingerprint),
        first.map((a) => a.source),
        first.map((a) => a.severity),
        first.map((a) => a.type),
        first.map((a) => a.summary),
        first.map((a) => JSON.stringify(a.labels)),
        last.map((a) => JSON.stringify(a.payload)),
        last.map((a) => a.status),
        ordered.map(([, g]) => g.alerts.length),
      ],
    );
    for (const row of upserted.rows) {
      const group = groups.get(row.fingerprint) as { indexes: number[]; alerts: NormalizedAlert[] };
      group.indexes.forEach((i) => (outcomes[i] = 'repeat'));
      const latest = group.alerts[group.alerts.length - 1] as NormalizedAlert;
      const head = group.indexes[0] as number;
      if (latest.status === 'resolved') {
        if (row.incident_id) await appendTimeline(client, row.incident_id, { actor: `source:${latest.source}`, action: 'alert.resolved', details: { fingerprint: latest.fingerprint } });
        const resolvedIncident = row.incident_id && row.incident_state !== 'resolved' && (await this.resolveIfAllResolved(client, row.incident_id, latest));
        outcomes[head] = resolvedIncident ? 'incident-resolved' : 'resolved';
        continue;
      }
      // A repeat while its incident is open: last_seen and count moved, nothing else.
      if (row.incident_id && row.incident_state !== 'resolved') continue;
      const silence = await this.silenceFor(client, latest);
      if (silence) {
        await client.query('UPDATE alerter.alerts SET silenced_by = $2 WHERE id = $1', [row.id, silence]);
        await client.query('INSERT INTO alerter.silenced_alerts (silence_id, alert_id, event_id) SELECT $1, $2, unnest($3::text[])', [silence, row.id, group.alerts.map((a) => a.eventId)]);
        group.indexes.forEach((i) => (outcomes[i] = 'silenced'));
        continue;
      }
      outcomes[head] = await this.openOrJoin(client, group.alerts[0] as NormalizedAlert, row.id);
    }
    return outcomes;
  }

  /**
   * The incident resolves by itself once every alert linked to it is resolved (the alert rows
   * of this batch are already updated and locked): the timeline says why, the audit trail has
   * it as the alerter's own action, and the resolve is due for notification at once.
   * Only Alertmanager alerts carry a resolved status; compliance alerts and security
   * incidents have no resolving event in CONTRACTS.md, so their incidents are resolved by a person.
   */
  private async resolveIfAllResolved(client: PoolClient, incidentId: string, last: NormalizedAlert): Promise<boolean> {
    const incident = (await client.query<IncidentRow>('SELECT * FROM alerter.incidents WHERE id = $1 FOR UPDATE', [incidentId])).rows[0];
    if (!incident || incident.state === 'resolved') return false;
    const { total, firing } = (
      await client.query<{ total: number; firing: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE a.status <> 'resolved')::int AS firing
           FROM alerter.incident_alerts l JOIN alerter.alerts a ON a.id = l.alert_id WHERE l.incident_id = $1`,
        [incidentId],
      )
    ).rows[0] as { total: number; firing: number };
    if (firing > 0) return false;
    await client.query(`UPDATE alerter.incidents SET state = 'resolved', resolved_at = now(), next_escalation_at = NULL, notify_at = now() WHERE id = $1`, [incidentId]);
    const details = { reason: 'all-alerts-resolved', alerts: total, lastFingerprint: last.fingerprint, previousState: incident.state };
    await appendTimeline(client, incidentId, { actor: 'system', action: 'incident.resolved', note: `auto-resolved: all ${total} linked alert(s) resolved, the last by ${last.source}`, details });
    await this.audit.audit({ actor: { type: 'system', id: 'alerter' }, action: 'incidents.resolve', resource: `incident:${incidentId}`, outcome: 'success', details: { ...details, automatic: true } });
    return true;
  }

  private async silenceFor(client: PoolClient, alert: NormalizedAlert): Promise<string | undefined> {
    const active = await client.query<{ id: string; matchers: Matcher[] }>(
      'SELECT id, matchers FROM alerter.silences WHERE expired_at IS NULL AND starts_at <= now() AND ends_at > now() ORDER BY created_at',
    );
    return active.rows.find((silence) => matchesAll(silence.matchers, alert.labels))?.id;
  }

  private async openOrJoin(client: PoolClient, alert: NormalizedAlert, alertId: string): Promise<IngestOutcome> {
    const now = new Date();
    const groupKey = this.routing.groupKey(alert.labels);
    const firstStep = this.routing.escalationFor(alert.labels)?.steps[0];
    // The partial unique index keeps one open incident per group, also across replicas and the webhook.
    const incident = await client.query<{ id: string; inserted: boolean }>(
      `INSERT INTO alerter.incidents AS i (id, group_key, title, severity, type, labels, notify_at, next_escalation_at, post_incident_due, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (group_key) WHERE state <> 'resolved' DO UPDATE SET group_key = excluded.group_key
       RETURNING i.id, (i.xmax = 0) AS inserted`,
      [
        `inc-${randomUUID()}`,
        groupKey,
        alert.summary,
        alert.severity,
        alert.type,
        JSON.stringify(alert.labels),
        new Date(now.getTime() + this.config.VIGIL_ALERTER_GROUP_WAIT),
        firstStep ? new Date(now.getTime() + firstStep.delay) : null,
        postIncidentDue(alert.severity, now),
        now,
      ],
    );
    const [{ id, inserted }] = incident.rows as [{ id: string; inserted: boolean }];
    await client.query('UPDATE alerter.alerts SET incident_id = $2, silenced_by = NULL WHERE id = $1', [alertId, id]);
    await client.query('INSERT INTO alerter.incident_alerts (incident_id, alert_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, alertId]);
    await appendTimeline(client, id, {
      actor: `source:${alert.source}`,
      action: inserted ? 'incident.triggered' : 'alert.linked',
      note: alert.summary,
      details: { fingerprint: alert.fingerprint, eventId: alert.eventId, severity: alert.severity, type: alert.type },
    });
    if (inserted) this.metrics.incidentsOpened.inc({ severity: alert.severity });
    return inserted ? 'incident-created' : 'incident-joined';
  }
}
