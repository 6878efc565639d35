import { silentLogger, type KafkaLogger } from './kafka-logger';
import {
  DEAD_LETTER_TOPIC_SETTINGS,
  defaultTopicSpec,
  ensureTopics,
  topicConfigs,
  type TopicAdmin,
  type TopicSpec,
} from './topic-bootstrap';

class FakeAdmin implements TopicAdmin {
  readonly created: TopicSpec[] = [];
  constructor(
    readonly existing = new Map<string, number>(),
    /** Topics someone else creates between our describe and our create. */
    readonly racing = new Set<string>(),
  ) {}

  async describeTopics(names: readonly string[]): Promise<Map<string, number>> {
    return new Map([...this.existing].filter(([name]) => names.includes(name)));
  }

  async createTopic(spec: TopicSpec): Promise<'created' | 'exists'> {
    if (this.racing.has(spec.name) || this.existing.has(spec.name)) return 'exists';
    this.created.push(spec);
    this.existing.set(spec.name, spec.partitions);
    return 'created';
  }
}

function recordingLogger(): KafkaLogger & { warnings: Array<[object, string]> } {
  const warnings: Array<[object, string]> = [];
  return { ...silentLogger, warnings, warn: (details, message) => warnings.push([details, message]) };
}

describe('defaultTopicSpec', () => {
  it('uses the documented layout under the prefix', () => {
    expect(defaultTopicSpec('market.orders.v1', { topicPrefix: 't7.', consumed: true })).toEqual({
      name: 't7.market.orders.v1',
      partitions: 6,
      retentionMs: 7 * 24 * 3600 * 1000,
      cleanupPolicy: 'delete',
      withDeadLetter: true,
    });
    expect(defaultTopicSpec('audit.events.v1')).toMatchObject({ name: 'audit.events.v1', partitions: 6, retentionMs: 30 * 24 * 3600 * 1000 });
  });

  it('applies overrides from config', () => {
    expect(defaultTopicSpec('market.orders.v1', { overrides: { partitions: 12, retentionMs: 1000 } })).toMatchObject({
      partitions: 12,
      retentionMs: 1000,
    });
  });

  it('names an unknown topic and the known ones', () => {
    expect(() => defaultTopicSpec('market.quotes.v1')).toThrow(/no default settings for topic "market.quotes.v1".*market.orders.v1/);
    expect(defaultTopicSpec('market.quotes.v1', { overrides: { partitions: 2 } }).partitions).toBe(2);
  });
});

describe('ensureTopics', () => {
  const orders = defaultTopicSpec('market.orders.v1', { topicPrefix: 't7.', consumed: true });
  const alerts = defaultTopicSpec('compliance.alerts.v1', { topicPrefix: 't7.' });

  it('creates missing topics and the dead-letter topic of each consumed one', async () => {
    const admin = new FakeAdmin();
    const result = await ensureTopics(admin, [orders, alerts], silentLogger);
    expect(result).toEqual({ created: ['t7.market.orders.v1', 't7.market.orders.v1.dlq', 't7.compliance.alerts.v1'], existing: [] });
    expect(admin.created.find((spec) => spec.name === 't7.market.orders.v1.dlq')).toEqual({
      ...DEAD_LETTER_TOPIC_SETTINGS,
      name: 't7.market.orders.v1.dlq',
    });
  });

  it('is idempotent: a second run creates nothing', async () => {
    const admin = new FakeAdmin();
    await ensureTopics(admin, [orders], silentLogger);
    const again = await ensureTopics(admin, [orders], silentLogger);
    expect(again).toEqual({ created: [], existing: ['t7.market.orders.v1', 't7.market.orders.v1.dlq'] });
    expect(admin.created).toHaveLength(2);
  });

  it('leaves an existing topic with another partition count alone, with a warning', async () => {
    const admin = new FakeAdmin(new Map([['t7.market.orders.v1', 3]]));
    const logger = recordingLogger();
    const result = await ensureTopics(admin, [orders], logger);
    expect(result.existing).toEqual(['t7.market.orders.v1']);
    expect(admin.created.map((spec) => spec.name)).toEqual(['t7.market.orders.v1.dlq']);
    expect(logger.warnings).toEqual([
      [{ topic: 't7.market.orders.v1', partitions: 3, expected: 6 }, expect.stringContaining('different partition count')],
    ]);
  });

  it('treats a topic created concurrently by another service as existing', async () => {
    const admin = new FakeAdmin(new Map(), new Set(['t7.compliance.alerts.v1']));
    expect(await ensureTopics(admin, [alerts], silentLogger)).toEqual({ created: [], existing: ['t7.compliance.alerts.v1'] });
  });

  it.each([
    [{ name: 'bad topic', partitions: 1 }, 'not a legal topic name'],
    [{ name: 'ok', partitions: 0 }, '"partitions" must be a positive integer'],
    [{ name: 'ok', partitions: 1, retentionMs: 0 }, '"retentionMs"'],
    [{ name: 'ok', partitions: 1, cleanupPolicy: 'forever' }, '"cleanupPolicy"'],
  ])('rejects an impossible spec %j before touching the broker', async (spec, message) => {
    const admin = new FakeAdmin();
    await expect(ensureTopics(admin, [spec as TopicSpec], silentLogger)).rejects.toThrow(message);
    expect(admin.created).toEqual([]);
  });
});

describe('topicConfigs', () => {
  it('maps retention and cleanup policy to Kafka config names, omitting unset ones', () => {
    expect(topicConfigs({ name: 'x', partitions: 1, retentionMs: 5000, cleanupPolicy: 'compact' })).toEqual([
      { name: 'retention.ms', value: '5000' },
      { name: 'cleanup.policy', value: 'compact' },
    ]);
    expect(topicConfigs({ name: 'x', partitions: 1 })).toEqual([]);
  });
});
