import { Admin, findErrorBy } from '@platformatic/kafka';
import type { KafkaLogger } from './kafka-logger';
import { checkConnectionOptions, type KafkaConnectionOptions } from './kafka-options';
import { ensureTopics, topicConfigs, type EnsureTopicsResult, type TopicAdmin, type TopicSpec } from './topic-bootstrap';

const TOPIC_VISIBLE_TIMEOUT_MS = 15_000;

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

  /**
   * Creates the topic and returns once the broker's metadata shows it with a leader for every
   * partition. CreateTopics answers when the controller has it; the broker's metadata cache
   * follows a moment later, and in that moment a producer or a listing does not see the topic
   * (seen in CI: a listing right after bootstrap missed a just-created `.dlq`).
   */
  async createTopic(spec: TopicSpec): Promise<'created' | 'exists'> {
    let outcome: 'created' | 'exists' = 'created';
    try {
      await this.admin.createTopics({
        topics: [spec.name],
        partitions: spec.partitions,
        replicas: spec.replicationFactor ?? -1,
        configs: topicConfigs(spec),
      });
    } catch (error) {
      if (!findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) throw error;
      outcome = 'exists';
    }
    await this.waitUntilVisible(spec.name);
    return outcome;
  }

  private async waitUntilVisible(name: string, timeoutMs = TOPIC_VISIBLE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const listed = new Set(await this.admin.listTopics());
        if (listed.has(name)) {
          const topic = (await this.admin.metadata({ topics: [name], forceUpdate: true })).topics.get(name);
          if (topic && topic.partitionsCount > 0 && topic.partitions.every((partition) => partition.leader >= 0)) return;
        }
      } catch (error) {
        if (!/Unknown topic/.test((error as Error).message)) throw error;
      }
      if (Date.now() >= deadline) throw new Error(`topic ${name} was created but the broker's metadata did not show it with a leader for every partition within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
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
