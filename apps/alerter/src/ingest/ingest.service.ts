import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { AlerterConfig } from '../alerter.config';
import { AlerterBootstrap } from '../alerter.bootstrap';
import { AlerterMetrics } from '../alerter.metrics';
import { inTransaction } from '../db/transaction';
import { postIncidentDue } from '../incidents/post-incident';
import { appendTimeline } from '../incidents/timeline';
import { Routing } from '../routing/routing';
import { matchesAll, type Matcher } from '../silences/silence-matcher';
import type { NormalizedAlert } from './normalized-alert';

export type IngestOutcome = 'duplicate-event' | 'repeat' | 'silenced' | 'incident-created' | 'incident-joined' | 'resolved';

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
  ) {}

  async ingestAll(alerts: NormalizedAlert[]): Promise<IngestOutcome[]> {
    await this.bootstrap.ready;
    const outcomes: IngestOutcome[] = [];
    for (const alert of alerts) outcomes.push(await this.ingest(alert));
    return outcomes;
  }

  async ingest(alert: NormalizedAlert): Promise<IngestOutcome> {
    const outcome = await inTransaction(this.pool, (client) => this.apply(client, alert));
    this.metrics.alertsReceived.inc({ source: alert.source, outcome });
    return outcome;
  }

  private async apply(client: PoolClient, alert: NormalizedAlert): Promise<IngestOutcome> {
    const upserted = await client.query<{ id: string; inserted: boolean; incident_id: string | null; incident_state: string | null }>(
      `WITH event AS (
         INSERT INTO alerter.alert_events (event_id, fingerprint) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id
       )
       INSERT INTO alerter.alerts AS a (fingerprint, source, severity, type, summary, labels, payload, status)
       SELECT $2, $3, $4, $5, $6, $7, $8, $9 FROM event
       ON CONFLICT (fingerprint) DO UPDATE SET last_seen = now(), count = a.count + 1, status = excluded.status, payload = excluded.payload
       RETURNING a.id, (a.xmax = 0) AS inserted, a.incident_id,
         (SELECT i.state FROM alerter.incidents i WHERE i.id = a.incident_id) AS incident_state`,
      [alert.eventId, alert.fingerprint, alert.source, alert.severity, alert.type, alert.summary, JSON.stringify(alert.labels), JSON.stringify(alert.payload), alert.status],
    );
    const row = upserted.rows[0];
    if (!row) return 'duplicate-event';
    if (alert.status === 'resolved') {
      if (row.incident_id) await appendTimeline(client, row.incident_id, { actor: `source:${alert.source}`, action: 'alert.resolved', details: { fingerprint: alert.fingerprint } });
      return 'resolved';
    }
    // A repeat while its incident is open: last_seen and count moved, nothing else.
    if (row.incident_id && row.incident_state !== 'resolved') return 'repeat';

    const silence = await this.silenceFor(client, alert);
    if (silence) {
      await client.query('UPDATE alerter.alerts SET silenced_by = $2 WHERE id = $1', [row.id, silence]);
      await client.query('INSERT INTO alerter.silenced_alerts (silence_id, alert_id, event_id) VALUES ($1, $2, $3)', [silence, row.id, alert.eventId]);
      return 'silenced';
    }
    return this.openOrJoin(client, alert, row.id);
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
