import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The detector's own metrics (dead letters are libs/kafka's `vigil_kafka_dead_letters_total`). Labels: rule, type, severity, outcome only. */
export class DetectorMetrics {
  readonly events: Counter<'outcome'>;
  readonly evaluations: Counter<'rule' | 'type'>;
  readonly alerts: Counter<'rule' | 'type' | 'severity'>;
  readonly windowLag: Gauge;
  readonly roundTrips: Histogram;

  constructor(registry: Registry & { metricName?(suffix: string): string }) {
    const name = (suffix: string) => (registry.metricName ? registry.metricName(suffix) : `vigil_compliance_detector_${suffix}`);
    const registers = [registry];
    this.events = new Counter({
      name: name('events_total'),
      help: 'Order events by outcome: accepted (put in event-time order), duplicate (eventId already accepted), late (older than the watermark)',
      labelNames: ['outcome'],
      registers,
    });
    this.evaluations = new Counter({ name: name('rule_evaluations_total'), help: 'Events a rule looked at', labelNames: ['rule', 'type'], registers });
    this.alerts = new Counter({
      name: name('alerts_total'),
      help: 'Alerts raised for the first time (a re-detection of a known fingerprint is not counted)',
      labelNames: ['rule', 'type', 'severity'],
      registers,
    });
    this.windowLag = new Gauge({
      name: name('window_lag_seconds'),
      help: 'Wall time minus the newest event time of the last batch: how far event time trails real time',
      registers,
    });
    this.roundTrips = new Histogram({
      name: name('redis_round_trips_per_batch'),
      help: 'Redis round trips one batch took (load, save, confirm)',
      buckets: [1, 2, 3, 4, 6, 10],
      registers,
    });
  }
}
