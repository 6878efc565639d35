import { DynamicModule, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { BaseServiceConfig } from '@vigil/config';
import type { TopicName } from '@vigil/contracts';
import { createEventProducer, defaultTopicSpec, EventProducer, KafkaAdmin, type KafkaConnectionOptions, type TopicSpec } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import type { Logger as PinoLogger } from 'pino';
import { KAFKA_HEALTH_CHECKS, KAFKA_OPTIONS, SERVICE_CONFIG, SERVICE_LOGGER } from '../service.constants';
import { ShutdownService } from '../shutdown/shutdown.service';
import { kafkaHealthChecks } from './kafka.health';
import { TopicBootstrap } from './topic-bootstrap';

/** The topics a service reads and writes (base names: TOPICS of @vigil/contracts). */
export interface ServiceTopics {
  /** Each is created with its dead-letter topic `<topic>.dlq`. */
  consumes: readonly TopicName[];
  /** Every topic the service sends to, so that it exists before the first send. */
  produces: readonly TopicName[];
}

/** The connection options of @vigil/kafka from the service's validated config. */
export function kafkaOptionsOf(config: BaseServiceConfig): KafkaConnectionOptions {
  return {
    brokers: [...config.VIGIL_KAFKA_BROKERS],
    clientId: config.VIGIL_KAFKA_CLIENT_ID,
    topicPrefix: config.VIGIL_TOPIC_PREFIX,
    registryUrl: config.VIGIL_SCHEMA_REGISTRY_URL,
  };
}

/** One spec per topic, with libs/kafka's default partitions and retention; consumed ones get a `.dlq`. */
export function topicSpecsOf({ consumes, produces }: ServiceTopics, topicPrefix: string | undefined): TopicSpec[] {
  const consumed = new Set(consumes);
  const topics = [...new Set([...consumes, ...produces])];
  return topics.map((topic) => defaultTopicSpec(topic, { topicPrefix, consumed: consumed.has(topic) }));
}

/** Starts the topic bootstrap with the app, and closes the producer and admin after the consumers have stopped. */
@Injectable()
class KafkaLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly topics: TopicBootstrap,
    private readonly producer: EventProducer,
    private readonly admin: KafkaAdmin,
    shutdown: ShutdownService,
  ) {
    shutdown.onShutdown('kafka producer and admin', () => this.close(), 'clients');
  }

  onApplicationBootstrap(): void {
    this.topics.start();
  }

  // For an app closed without ShutdownService.drain (tests calling app.close()); a no-op after it.
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private close(): Promise<void> {
    this.closing ??= (async () => {
      const bootstrapSettled = this.topics.stop();
      await Promise.all([this.producer.close(), this.admin.close()]);
      await bootstrapSettled;
    })();
    return this.closing;
  }
}

/**
 * Kafka for one service, from SERVICE_CONFIG: its topics created at start-up (in the
 * background, retried while the broker is down), an EventProducer recording into the
 * service's KafkaMetrics, the KafkaAdmin, the readiness checks (KAFKA_HEALTH_CHECKS) and
 * the connection options (KAFKA_OPTIONS) a consumer runner is made from. Global: import
 * it once, in the app's root module.
 *
 * A consumer runner (in the app's `*.consumer.ts`) starts after `TopicBootstrap.ready`
 * and registers its stop with `ShutdownService.onShutdown(name, () => runner.stop())`
 * (stage 'consumers'), so that on SIGTERM it finishes and commits its batch before the
 * producer it may use closes.
 */
@Module({})
export class KafkaModule {
  static forService(topics: ServiceTopics): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_OPTIONS, inject: [SERVICE_CONFIG], useFactory: kafkaOptionsOf },
        { provide: KafkaAdmin, inject: [KAFKA_OPTIONS], useFactory: (options: KafkaConnectionOptions) => new KafkaAdmin(options) },
        {
          provide: EventProducer,
          inject: [KAFKA_OPTIONS, KafkaMetrics],
          useFactory: (options: KafkaConnectionOptions, metrics: KafkaMetrics) => createEventProducer({ ...options, metrics }),
        },
        {
          provide: TopicBootstrap,
          inject: [KafkaAdmin, KAFKA_OPTIONS, SERVICE_LOGGER],
          useFactory: (admin: KafkaAdmin, options: KafkaConnectionOptions, logger: PinoLogger) =>
            new TopicBootstrap(admin, topicSpecsOf(topics, options.topicPrefix), logger.child({ context: 'Kafka' })),
        },
        { provide: KAFKA_HEALTH_CHECKS, inject: [KafkaAdmin, TopicBootstrap, KAFKA_OPTIONS], useFactory: kafkaHealthChecks },
        KafkaLifecycle,
      ],
      exports: [KAFKA_OPTIONS, KafkaAdmin, EventProducer, TopicBootstrap, KAFKA_HEALTH_CHECKS],
    };
  }
}
