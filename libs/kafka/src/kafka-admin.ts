import { Admin, findErrorBy } from '@platformatic/kafka';
import type { KafkaLogger } from './kafka-logger';
import { checkConnectionOptions, type KafkaConnectionOptions } from './kafka-options';
import { ensureTopics, topicConfigs, type EnsureTopicsResult, type TopicAdmin, type TopicSpec } from './topic-bootstrap';

/**
 * The admin side of libs/kafka: topic bootstrap at start-up and the readiness probe.
 * One per process is plenty; close() it on shutdown.
 */
export class KafkaAdmin implements TopicAdmin {
  private readonly admin: Admin;

  constructor(options: KafkaConnectionOptions) {
    checkConnectionOptions(options);
    this.admin = new Admin({ clientId: options.clientId, bootstrapBrokers: options.brokers });
  }

  /** See ensureTopics in topic-bootstrap.ts. */
  ensureTopics(specs: readonly TopicSpec[], logger: KafkaLogger): Promise<EnsureTopicsResult> {
    return ensureTopics(this, specs, logger);
  }

  async describeTopics(names: readonly string[]): Promise<Map<string, number>> {
    const all = new Set(await this.admin.listTopics());
    const present = names.filter((name) => all.has(name));
    const counts = new Map<string, number>();
    if (present.length === 0) return counts;
    const metadata = await this.admin.metadata({ topics: present, forceUpdate: true });
    for (const name of present) {
      const topic = metadata.topics.get(name);
      if (topic) counts.set(name, topic.partitionsCount);
    }
    return counts;
  }

  async createTopic(spec: TopicSpec): Promise<'created' | 'exists'> {
    try {
      await this.admin.createTopics({
        topics: [spec.name],
        partitions: spec.partitions,
        replicas: spec.replicationFactor ?? -1,
        configs: topicConfigs(spec),
      });
      return 'created';
    } catch (error) {
      if (findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) return 'exists';
      throw error;
    }
  }

  /** Rejects unless a broker answers a metadata request within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka broker did not answer a metadata request within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      // No client-side retries: the probe must answer within its timeout, and the next probe retries.
      await Promise.race([this.admin.metadata({ topics: [], forceUpdate: true, retries: 0 }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
