import type { KafkaMetrics } from '@vigil/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The detector's own metrics. Labels: rule, type, severity, outcome, venue (a handful of MICs) only. */
export class DetectorMetrics {
  readonly events: Counter<'outcome' | 'venue'>;
  readonly evaluations: Counter<'rule' | 'type'>;
  readonly ruleSeconds: Counter<'rule' | 'type'>;
  readonly alerts: Counter<'rule' | 'type' | 'severity'>;
  readonly windowLag: Gauge;
  readonly roundTrips: Histogram;
  readonly roundTripsTotal: Counter;
  readonly idleFlushes: Counter;
  readonly snapshots: Counter;
  readonly logEntriesReplayed: Counter;
  readonly stateConflicts: Counter;
  readonly resentAlreadyPublished: Counter;

  /** `kafka`: the service's KafkaMetrics, whose dead letters of market.orders.v1 are repeated under the detector's own name. */
  constructor(registry: Registry & { metricName?(suffix: string): string }, kafka?: KafkaMetrics) {
    const name = (suffix: string) => (registry.metricName ? registry.metricName(suffix) : `vigil_compliance_detector_${suffix}`);
    const registers = [registry];
    this.events = new Counter({
      name: name('events_total'),
      help: 'Order events by outcome and venue: accepted (put in event-time order), duplicate (a copy of an event still waiting for the watermark), late (older than the watermark)',
      labelNames: ['outcome', 'venue'],
      registers,
    });
    this.evaluations = new Counter({ name: name('rule_evaluations_total'), help: 'Events a rule looked at', labelNames: ['rule', 'type'], registers });
    this.ruleSeconds = new Counter({
      name: name('rule_evaluation_seconds_total'),
      help: 'Time the rules spent on events, estimated from one event in 16 (rate() of it: the share of a core a rule takes)',
      labelNames: ['rule', 'type'],
      registers,
    });
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
    this.roundTripsTotal = new Counter({
      name: name('redis_round_trips_total'),
      help: 'Redis round trips of all batches (divided by the _count of redis_round_trips_per_batch: the mean per batch)',
      registers,
    });
    this.idleFlushes = new Counter({
      name: name('idle_flushes_total'),
      help: 'Instruments whose watermark the idle flush moved on by wall time (no event reached them for a while)',
      registers,
    });
    this.snapshots = new Counter({ name: name('state_snapshots_total'), help: 'Instrument state snapshots written to Redis (replacing snapshot + log)', registers });
    this.logEntriesReplayed = new Counter({
      name: name('state_log_entries_replayed_total'),
      help: 'Logged batches replayed to rebuild an instrument state not held in memory (after a restart, a rebalance, another instance writing)',
      registers,
    });
    this.stateConflicts = new Counter({
      name: name('state_conflicts_total'),
      help: 'Instrument saves refused because another instance wrote the instrument since the load (the batch is retried)',
      registers,
    });
    this.resentAlreadyPublished = new Counter({
      name: name('resent_alerts_already_published_total'),
      help: 'Alerts handed out again from the outbox (a crash between produce and confirm) that were found on compliance.alerts.v1 and not produced twice',
      registers,
    });
    if (kafka) {
      const deadLettered = kafka.deadLettered;
      new Counter({
        name: name('dead_letters_total'),
        help: 'Malformed order events sent to market.orders.v1.dlq (the same count as vigil_kafka_dead_letters_total of this service)',
        registers,
        async collect() {
          const { values } = await deadLettered.get();
          this.reset();
          this.inc(values.reduce((sum, v) => sum + v.value, 0));
        },
      });
    }
  }
}
