import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Kafka client metrics every service exposes. libs/kafka records into this;
 * the dashboards and alert rules read these names, so they change only with them.
 * Labels stay low-cardinality: topic, partition, group, outcome — never a key or id.
 */
export class KafkaMetrics {
  readonly consumed: Counter<'topic' | 'partition' | 'group'>;
  readonly consumerLag: Gauge<'topic' | 'partition' | 'group'>;
  readonly batchDuration: Histogram<'topic' | 'group' | 'outcome'>;
  readonly deadLettered: Counter<'topic' | 'group'>;
  readonly produced: Counter<'topic' | 'outcome'>;
  readonly produceDuration: Histogram<'topic'>;

  constructor(registry: Registry, prefix = 'vigil') {
    const registers = [registry];
    this.consumed = new Counter({
      name: `${prefix}_kafka_consumer_messages_total`,
      help: 'Messages handed to a consumer handler and committed',
      labelNames: ['topic', 'partition', 'group'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: `${prefix}_kafka_consumer_lag_messages`,
      help: 'High watermark minus the next offset to consume, per partition, at the last fetched batch',
      labelNames: ['topic', 'partition', 'group'],
      registers,
    });
    this.batchDuration = new Histogram({
      name: `${prefix}_kafka_consumer_batch_duration_seconds`,
      help: 'Time from receiving a batch to committing its offsets',
      labelNames: ['topic', 'group', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.deadLettered = new Counter({
      name: `${prefix}_kafka_dead_letters_total`,
      help: 'Messages sent to a dead-letter topic, by source topic',
      labelNames: ['topic', 'group'],
      registers,
    });
    this.produced = new Counter({
      name: `${prefix}_kafka_producer_messages_total`,
      help: 'Messages produced, by outcome (success or failure)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.produceDuration = new Histogram({
      name: `${prefix}_kafka_producer_send_duration_seconds`,
      help: 'Time for one produce call to be acknowledged by all in-sync replicas',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
