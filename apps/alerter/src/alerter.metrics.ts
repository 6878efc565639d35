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
