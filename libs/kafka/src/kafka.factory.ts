import type { KafkaMetrics } from '@vigil/observability';
import { ConsumerRunner, type ConsumerRunnerSettings } from './consumer-runner';
import { EventCodec } from './event.codec';
import { EventProducer } from './event-producer';
import { checkConnectionOptions, type KafkaConnectionOptions } from './kafka-options';
import { PlatformaticRecordReader, type ReaderSettings } from './platformatic-reader.adapter';
import { PlatformaticRecordWriter } from './platformatic-writer.adapter';
import { confluentSchemaRegistry } from './schema-registry';
import { readTopicBack, type ReadBack, type ReadBackOptions } from './topic-read-back';

/**
 * Wiring of the ports to @platformatic/kafka and the registry client: the only place a
 * service's options meet the concrete clients.
 */
export function createEventProducer(
  options: KafkaConnectionOptions & { metrics?: KafkaMetrics },
): EventProducer {
  checkConnectionOptions(options);
  return new EventProducer(new PlatformaticRecordWriter(options), codecFor(options), options.topicPrefix, options.metrics);
}

export type ConsumerRunnerOptions<T> = KafkaConnectionOptions & ConsumerRunnerSettings<T> & Omit<ReaderSettings, 'groupId'>;

/** A consumer runner for `options.contracts`; call start(), and stop() on shutdown. */
export function createConsumerRunner<T>(options: ConsumerRunnerOptions<T>): ConsumerRunner<T> {
  checkConnectionOptions(options);
  return new ConsumerRunner<T>(options, {
      reader: new PlatformaticRecordReader(options, options, options.logger),
      deadLetters: new PlatformaticRecordWriter(options),
      codec: codecFor(options),
    });
}

/** Reads a topic back from `sinceMs` to its end, decoded (see topic-read-back.ts): recovery checks. */
export function readBack<T>(options: ReadBackOptions<T>): Promise<ReadBack<T>> {
  checkConnectionOptions(options);
  return readTopicBack(options, codecFor(options));
}

function codecFor(options: KafkaConnectionOptions): EventCodec {
  return new EventCodec(options.registryUrl ? confluentSchemaRegistry(options.registryUrl, options.clientId) : undefined);
}
