import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { SEVERITIES } from '@vigil/contracts';

@Injectable()
export class AlerterMetrics {
  readonly alertsReceived: Counter<'source' | 'outcome'>;
  readonly incidentsOpened: Counter<'severity'>;
  readonly notifications: Counter<'receiver' | 'outcome'>;
  readonly escalations: Counter<'level'>;
  readonly timeToAcknowledge: Histogram<'severity'>;
  readonly openIncidents: Gauge<'severity'>;
  readonly mitigations: Counter<'action' | 'outcome'>;
  readonly deliveriesPending: Gauge;
  readonly oldestPendingDelivery: Gauge;

  constructor(metrics: MetricsRegistry, @Inject(PG_POOL) pool: Pool) {
    const registers = [metrics];
    this.alertsReceived = new Counter({ name: 'vigil_alerter_alerts_received_total', help: 'Alerts received, by source and what became of them', labelNames: ['source', 'outcome'], registers });
    this.incidentsOpened = new Counter({ name: 'vigil_alerter_incidents_opened_total', help: 'Incidents opened, by severity', labelNames: ['severity'], registers });
    this.notifications = new Counter({ name: 'vigil_alerter_notifications_total', help: 'Delivery attempts by receiver and outcome', labelNames: ['receiver', 'outcome'], registers });
    this.escalations = new Counter({ name: 'vigil_alerter_escalations_total', help: 'Escalation steps fired, by level', labelNames: ['level'], registers });
    this.timeToAcknowledge = new Histogram({
      name: 'vigil_alerter_time_to_acknowledge_seconds',
      help: 'From incident trigger to acknowledgement',
      labelNames: ['severity'],
      buckets: [30, 60, 300, 900, 1800, 3600, 14400],
      registers,
    });
    this.mitigations = new Counter({ name: 'vigil_alerter_mitigations_total', help: 'Mitigation actions from the incident API, by action and outcome (success, failure)', labelNames: ['action', 'outcome'], registers });
    // The outbox backlog (deliveries not yet delivered or given up, retries included) and the
    // age of its oldest row: a growing one means receivers are down or the worker is stuck.
    // Both read at scrape time in one query.
    const backlog = (() => {
      let pending: Promise<{ n: number; oldest: number } | undefined> | undefined;
      return () =>
        (pending ??= pool
          .query<{ n: number; oldest: number }>(
            `SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest FROM alerter.deliveries WHERE status IN ('pending', 'sending')`,
          )
          .then((result) => result.rows[0], () => undefined)
          .finally(() => setTimeout(() => (pending = undefined), 0)));
    })();
    this.deliveriesPending = new Gauge({
      name: 'vigil_alerter_deliveries_pending',
      help: 'Deliveries waiting to be sent or retried (read at scrape time)',
      registers,
      async collect() {
        const row = await backlog();
        if (row) this.set(row.n);
      },
    });
    this.oldestPendingDelivery = new Gauge({
      name: 'vigil_alerter_oldest_pending_delivery_seconds',
      help: 'Age of the oldest delivery waiting to be sent or retried; 0 when none (read at scrape time)',
      registers,
      async collect() {
        const row = await backlog();
        if (row) this.set(row.oldest);
      },
    });
    // Read from Postgres at scrape time: the truth across replicas and restarts.
    this.openIncidents = new Gauge({
      name: 'vigil_alerter_open_incidents',
      help: 'Incidents not resolved, by severity (read at scrape time)',
      labelNames: ['severity'],
      registers,
      async collect() {
        const rows = await pool
          .query<{ severity: string; n: number }>(`SELECT severity, count(*)::int AS n FROM alerter.incidents WHERE state <> 'resolved' GROUP BY severity`)
          .then((result) => result.rows, () => undefined);
        if (!rows) return; // schema not there yet, or Postgres away: /readyz says which
        for (const severity of SEVERITIES) this.set({ severity }, rows.find((row) => row.severity === severity)?.n ?? 0);
      },
    });
  }
}
