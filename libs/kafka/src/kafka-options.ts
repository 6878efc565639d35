/**
 * Connection settings shared by the producer, the consumer runner and the admin.
 * Plain values: libs/config reads the VIGIL_KAFKA_* variables and passes them in.
 */
export interface KafkaConnectionOptions {
  /** `host:port` of one or more brokers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** Names this process to the broker (logs, quotas); the service name by convention. */
  clientId: string;
  /**
   * Confluent-compatible schema registry base URL (for Apicurio: `.../apis/ccompat/v7`).
   * Set: produced events are Confluent-framed Avro. Unset: UTF-8 JSON. Consumers read both
   * either way, but need it to decode Avro.
   */
  registryUrl?: string;
  /** Prepended to every contract topic name (`t1a2b3.` in tests, empty in production). */
  topicPrefix?: string;
}

/** The topic a contract's base name maps to under a prefix. */
export function prefixedTopic(prefix: string | undefined, baseTopic: string): string {
  return `${prefix ?? ''}${baseTopic}`;
}

/** Rejects settings that would otherwise fail later with a less helpful client error. */
export function checkConnectionOptions(options: KafkaConnectionOptions): void {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new Error('Kafka options: "brokers" must list at least one host:port (e.g. 127.0.0.1:9092)');
  }
  for (const broker of options.brokers) {
    if (!/^\S+:\d{1,5}$/.test(broker)) {
      throw new Error(`Kafka options: broker ${JSON.stringify(broker)} is not host:port`);
    }
  }
  if (!options.clientId) {
    throw new Error('Kafka options: "clientId" must be a non-empty string (the service name)');
  }
}
