import { exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { Admin } from '@platformatic/kafka';
import { testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import { collectingHandler, testLogger } from '../test-support/kafka-test-helpers';
import type { ConsumedMessage } from './consumed-message';
import { KafkaAdmin } from './kafka-admin';
import { createConsumerRunner, createEventProducer } from './kafka.factory';

// Group membership on the real broker: heartbeats during long handlers, graceful stop,
// and fetching paused while the in-flight bound is reached.
describe('consumer group behaviour on the real broker', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let rawAdmin: Admin;
  const prefix = testPrefix();
  const logger = testLogger();

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka']));
    rawAdmin = new Admin({ clientId: 'kafka-int-group', bootstrapBrokers: infra.kafkaBrokers });
    const admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-group' });
    try {
      await admin.ensureTopics(
        ['long', 'stop', 'pressure'].map((name) => ({ name: `${prefix}${name}.market.orders.v1`, partitions: 2 })),
        logger,
      );
    } finally {
      await admin.close();
    }
  });

  afterAll(async () => {
    await rawAdmin?.close();
    await stopInfra?.();
  });

  const options = (name: string) => ({
    brokers: infra.kafkaBrokers,
    clientId: 'kafka-int-group',
    topicPrefix: `${prefix}${name}.`,
    groupId: `${prefix}${name}`,
    contracts: [marketOrdersContract],
    logger,
  });

  async function produce(name: string, count: number, from = 0): Promise<void> {
    const producer = createEventProducer({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-group', topicPrefix: `${prefix}${name}.` });
    const events = Array.from({ length: count }, (_, i) => exampleOrderEvent({ eventId: `${name}-${from + i}`, instrument: `I-${i % 5}` }));
    await producer.send(marketOrdersContract, events);
    await producer.close();
  }

  async function members(groupId: string): Promise<{ state: string; ids: string[] }> {
    const group = (await rawAdmin.describeGroups({ groups: [groupId] })).get(groupId);
    return { state: String(group?.state), ids: [...(group?.members.keys() ?? [])] };
  }

  it('keeps its membership while a handler awaits for longer than the session timeout', async () => {
    await produce('long', 10);
    const sessionTimeoutMs = 2_000;
    let firstCall = true;
    const handled: ConsumedMessage<MarketOrderEvent>[] = [];
    let during: { state: string; ids: string[] } | undefined;
    const runner = createConsumerRunner<MarketOrderEvent>({
      ...options('long'),
      sessionTimeoutMs,
      heartbeatIntervalMs: 300,
      rebalanceTimeoutMs: sessionTimeoutMs,
      handler: async (messages) => {
        handled.push(...messages);
        if (firstCall) {
          firstCall = false;
          // Three and a half session timeouts without returning to the runner.
          await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs * 3.5));
          during = await members(`${prefix}long`);
        }
      },
    });
    await runner.start();
    const before = await members(`${prefix}long`);
    await until(() => handled.length >= 10 && during !== undefined, 30_000);
    const after = await members(`${prefix}long`);
    await runner.stop();

    expect(before.ids).toHaveLength(1);
    expect(during).toEqual({ state: 'Stable', ids: before.ids });
    expect(after.ids).toEqual(before.ids);
    // Not evicted, so nothing was fetched again: each event was handed over exactly once.
    expect(handled.map((m) => m.value.eventId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `long-${i}`).sort());
  });

  it('stop() finishes the batch in the handler, commits it and leaves the group', async () => {
    await produce('stop', 20);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first: ConsumedMessage<MarketOrderEvent>[] = [];
    const runner = createConsumerRunner<MarketOrderEvent>({
      ...options('stop'),
      maxBatchMessages: 5,
      handler: async (messages) => {
        first.push(...messages);
        await gate;
      },
    });
    await runner.start();
    await until(() => first.length > 0);
    const stopping = runner.stop();
    release();
    await stopping;
    expect(first).toHaveLength(5); // only the batch that was in the handler
    expect((await members(`${prefix}stop`)).state).toBe('Empty'); // left at once, no session timeout to wait for

    // The next member starts after that batch: the 15 others, no duplicate of the first 5.
    const collected = collectingHandler<MarketOrderEvent>();
    const next = createConsumerRunner({ ...options('stop'), handler: collected.handler });
    await next.start();
    await collected.waitFor(15);
    await next.stop();
    const firstIds = new Set(first.map((m) => m.value.eventId));
    expect(collected.messages).toHaveLength(15);
    expect(collected.messages.filter((m) => firstIds.has(m.value.eventId))).toEqual([]);
  });

  it('pauses fetching at the in-flight bound and resumes when the handler catches up', async () => {
    await produce('pressure', 600);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: ConsumedMessage<MarketOrderEvent>[] = [];
    const runner = createConsumerRunner<MarketOrderEvent>({
      ...options('pressure'),
      maxBatchMessages: 20,
      maxInFlightMessages: 100,
      handler: async (messages) => {
        handled.push(...messages);
        await gate;
      },
    });
    await runner.start();
    await until(() => runner.held.messages >= 100);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // give fetches time to overshoot, if they would
    const heldWhileBlocked = runner.held.messages;
    release();
    await until(() => handled.length >= 600);
    await runner.stop();

    expect(heldWhileBlocked).toBe(100); // paused exactly at the bound, not 600
    const perPartition = new Map<number, bigint[]>();
    for (const m of handled) perPartition.set(m.partition, [...(perPartition.get(m.partition) ?? []), m.offset]);
    for (const offsets of perPartition.values()) {
      expect(offsets).toEqual(offsets.map((_, i) => offsets[0] + BigInt(i))); // in order, no gap, no repeat
    }
    expect(new Set(handled.map((m) => m.value.eventId)).size).toBe(600);
  });
});

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
