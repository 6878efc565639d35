import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@vigil/observability';
import { Counter, Histogram } from 'prom-client';

@Injectable()
export class AlerterMetrics {
  readonly alertsReceived: Counter<'source' | 'outcome'>;
  readonly incidentsOpened: Counter<'severity'>;
  readonly notifications: Counter<'receiver' | 'outcome'>;
  readonly escalations: Counter<'level'>;
  readonly timeToAcknowledge: Histogram<'severity'>;

  constructor(metrics: MetricsRegistry) {
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
  }
}
