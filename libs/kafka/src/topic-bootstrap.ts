import { dlqTopicOf } from '@vigil/contracts';
import type { KafkaLogger } from './kafka-logger';
import { prefixedTopic } from './kafka-options';

const DAY_MS = 24 * 60 * 60 * 1000;

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** How one topic should look. Only creation applies it: an existing topic is never altered. */
export interface TopicSpec {
  /** Full name, prefix included. */
  name: string;
  partitions: number;
  /** `retention.ms`; unset = the broker default. */
  retentionMs?: number;
  /** `cleanup.policy`; unset = the broker default (delete). */
  cleanupPolicy?: CleanupPolicy;
  /** Unset = the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Also ensure `<name>.dlq` with DEAD_LETTER_TOPIC_SETTINGS: set it for every consumed topic. */
  withDeadLetter?: boolean;
}

export type TopicSettings = Pick<TopicSpec, 'partitions' | 'retentionMs' | 'cleanupPolicy'>;

/**
 * Default layout of Vigil's topics (CONTRACTS.md). Partitions bound how many members of a
 * group work in parallel, and can only ever grow (growing reshuffles keys), so they start
 * at 6 for the busy topics. Retention covers a replay window, not the record of truth:
 * audit entries live on in the audit-writer's Merkle log, alerts and incidents in Postgres.
 */
export const DEFAULT_TOPIC_SETTINGS: Readonly<Record<string, TopicSettings>> = {
  'market.orders.v1': { partitions: 6, retentionMs: 7 * DAY_MS, cleanupPolicy: 'delete' },
  'compliance.alerts.v1': { partitions: 6, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  'audit.events.v1': { partitions: 6, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  'security.incidents.v1': { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  // Vigil-internal, low volume.
  'audit.checkpoints': { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
  'reports.generated': { partitions: 3, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' },
};

/** Dead letters are rare and read by people: one partition, kept long enough to triage. */
export const DEAD_LETTER_TOPIC_SETTINGS: TopicSettings = { partitions: 1, retentionMs: 30 * DAY_MS, cleanupPolicy: 'delete' };

/** The spec of a contract topic from DEFAULT_TOPIC_SETTINGS, with overrides (e.g. from config). */
export function defaultTopicSpec(
  baseTopic: string,
  options: { topicPrefix?: string; consumed?: boolean; overrides?: Partial<TopicSettings> } = {},
): TopicSpec {
  const defaults = DEFAULT_TOPIC_SETTINGS[baseTopic];
  if (!defaults && options.overrides?.partitions === undefined) {
    throw new Error(
      `topic bootstrap: no default settings for topic ${JSON.stringify(baseTopic)}; ` +
        `pass overrides.partitions or add it to DEFAULT_TOPIC_SETTINGS (known: ${Object.keys(DEFAULT_TOPIC_SETTINGS).join(', ')})`,
    );
  }
  return {
    ...defaults,
    ...options.overrides,
    name: prefixedTopic(options.topicPrefix, baseTopic),
    withDeadLetter: options.consumed ?? false,
  } as TopicSpec;
}

/** What ensureTopics needs from an admin client. */
export interface TopicAdmin {
  /** Partition counts of those of `names` that exist. */
  describeTopics(names: readonly string[]): Promise<Map<string, number>>;
  /** Creates the topic; 'exists' when someone else created it first. */
  createTopic(spec: TopicSpec): Promise<'created' | 'exists'>;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the missing topics (and the `.dlq` of each spec that asks for one). Existing
 * topics are left alone — a different partition count is logged, never "fixed", since
 * adding partitions moves keys between partitions. Safe to run from every service at
 * every start, concurrently.
 */
export async function ensureTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  logger: KafkaLogger,
): Promise<EnsureTopicsResult> {
  const wanted = new Map<string, TopicSpec>();
  for (const spec of specs) {
    checkSpec(spec);
    wanted.set(spec.name, { ...spec, withDeadLetter: false });
    if (spec.withDeadLetter) {
      const dlq = dlqTopicOf(spec.name);
      if (!wanted.has(dlq)) wanted.set(dlq, { ...DEAD_LETTER_TOPIC_SETTINGS, name: dlq });
    }
  }
  const existingPartitions = await admin.describeTopics([...wanted.keys()]);
  const result: EnsureTopicsResult = { created: [], existing: [] };
  for (const spec of wanted.values()) {
    const partitions = existingPartitions.get(spec.name);
    if (partitions !== undefined) {
      result.existing.push(spec.name);
      if (partitions !== spec.partitions) {
        logger.warn(
          { topic: spec.name, partitions, expected: spec.partitions },
          'topic exists with a different partition count than configured; left as is',
        );
      }
      continue;
    }
    const outcome = await admin.createTopic(spec);
    (outcome === 'created' ? result.created : result.existing).push(spec.name);
    if (outcome === 'created') {
      logger.info(
        { topic: spec.name, partitions: spec.partitions, retentionMs: spec.retentionMs, cleanupPolicy: spec.cleanupPolicy },
        'topic created',
      );
    }
  }
  return result;
}

/** Topic configs for a CreateTopics request. */
export function topicConfigs(spec: TopicSpec): Array<{ name: string; value: string }> {
  const configs: Array<{ name: string; value: string }> = [];
  if (spec.retentionMs !== undefined) configs.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.cleanupPolicy !== undefined) configs.push({ name: 'cleanup.policy', value: spec.cleanupPolicy });
  return configs;
}

function checkSpec(spec: TopicSpec): void {
  // Kafka's own rule: [a-zA-Z0-9._-], at most 249 characters.
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(spec.name) || spec.name === '.' || spec.name === '..') {
    throw new Error(`topic bootstrap: ${JSON.stringify(spec.name)} is not a legal topic name ([a-zA-Z0-9._-], 1-249 chars)`);
  }
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
    throw new Error(`topic bootstrap: ${spec.name}: "partitions" must be a positive integer, got ${String(spec.partitions)}`);
  }
  if (spec.retentionMs !== undefined && !(Number.isInteger(spec.retentionMs) && (spec.retentionMs > 0 || spec.retentionMs === -1))) {
    throw new Error(`topic bootstrap: ${spec.name}: "retentionMs" must be a positive integer or -1 (forever)`);
  }
  if (spec.cleanupPolicy !== undefined && !['delete', 'compact', 'compact,delete'].includes(spec.cleanupPolicy)) {
    throw new Error(`topic bootstrap: ${spec.name}: "cleanupPolicy" must be delete, compact or compact,delete`);
  }
}
