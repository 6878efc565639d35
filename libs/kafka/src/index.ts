/**
 * @vigil/kafka — Vigil's only way to Kafka. Services produce and consume contract
 * events through this API and never import @platformatic/kafka themselves.
 *
 * Producing:  createEventProducer(options).send(contract, values)
 * Consuming:  createConsumerRunner({ ...options, groupId, contracts, handler, logger }).start()
 * Start-up:   new KafkaAdmin(options).ensureTopics(specs, logger); kafkaHealthCheck(admin)
 */
export type { KafkaConnectionOptions } from './kafka-options';
export { prefixedTopic } from './kafka-options';
export type { KafkaLogger } from './kafka-logger';
export { silentLogger } from './kafka-logger';

export { createEventProducer, createConsumerRunner, readBack, type ConsumerRunnerOptions } from './kafka.factory';
export type { ReadBack, ReadBackOptions } from './topic-read-back';
export { EventProducer, SendDeadlineExceeded, type SendOptions } from './event-producer';
export { ConsumerRunner, RetriesExhausted } from './consumer-runner';
export { SecurityEventRecorder, type SecurityEventRecorderOptions } from './security-event-recorder';
export {
  PoisonMessages,
  type BatchHandler,
  type BatchResult,
  type ConsumedMessage,
  type RejectedMessage,
} from './consumed-message';
export type { RetryPolicy } from './retry-policy';
export type { WireEncoding } from './event.codec';
export { DecodeError, SchemaRegistryUnavailable, type DecodeErrorKind } from './decode-error';

export { KafkaAdmin } from './kafka-admin';
export {
  DEFAULT_TOPIC_SETTINGS,
  DEAD_LETTER_TOPIC_SETTINGS,
  defaultTopicSpec,
  type CleanupPolicy,
  type EnsureTopicsResult,
  type TopicSettings,
  type TopicSpec,
} from './topic-bootstrap';
export { kafkaBrokerCheck, schemaRegistryCheck, type KafkaHealthCheck } from './kafka.health';
