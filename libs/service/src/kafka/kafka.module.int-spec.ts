import { Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Admin } from '@platformatic/kafka';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { auditEventsContract, exampleAuditEvent, exampleOrderEvent, marketOrdersContract, TOPICS, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, EventProducer, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { createLogger, KafkaMetrics } from '@vigil/observability';
import { assertInfraUp, freePort, serviceEnv, testPrefix, type InfraEnv } from '@vigil/testing';
import { connect, createServer, type Socket } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { RunningService, startService } from '../run-service';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, KAFKA_OPTIONS, SERVICE_LOGGER } from '../service.constants';
import { ShutdownService } from '../shutdown/shutdown.service';
import { KafkaModule } from './kafka.module';
import { TopicBootstrap } from './topic-bootstrap';

// KafkaModule against the local broker and registry: topic bootstrap, readiness, a broker
// that is down at start-up, and the shutdown order with a real consumer runner.

const prefix = testPrefix();
let infra: InfraEnv;
let admin: Admin;

// What the test's consumer saw, in order.
const events: string[] = [];
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
let handlerEntered = deferred();
let handlerRelease = deferred();

/**
 * A consumer wired the way an app's *.consumer.ts wires one: made from KAFKA_OPTIONS,
 * started once the topics exist, its stop registered with ShutdownService. Its handler
 * waits for the test, then produces an audit event — as the detector and alerter will.
 */
@Injectable()
class OrdersConsumer implements OnApplicationBootstrap {
  private readonly runner: ConsumerRunner<MarketOrderEvent>;

  constructor(
    @Inject(KAFKA_OPTIONS) options: KafkaConnectionOptions,
    @Inject(SERVICE_LOGGER) logger: PinoLogger,
    metrics: KafkaMetrics,
    private readonly topics: TopicBootstrap,
    producer: EventProducer,
    private readonly shutdown: ShutdownService,
  ) {
    this.runner = createConsumerRunner<MarketOrderEvent>({
      ...options,
      groupId: `${prefix}orders-test`,
      contracts: [marketOrdersContract],
      logger,
      metrics,
      handler: async (messages) => {
        events.push(`handling ${messages.length}`);
        handlerEntered.resolve();
        await handlerRelease.promise;
        await producer.send(auditEventsContract, [exampleAuditEvent()]);
        events.push('audit event sent');
      },
    });
    shutdown.onShutdown('orders consumer', async () => {
      await this.runner.stop();
      events.push('consumer stopped');
    });
  }

  onApplicationBootstrap(): void {
    void this.topics.ready.then(() => (this.shutdown.isShuttingDown ? undefined : this.runner.start()));
  }
}

@Module({
  imports: [KafkaModule.forService({ consumes: [TOPICS.marketOrders], produces: [TOPICS.auditEvents, TOPICS.auditCheckpoints] })],
  providers: [{ provide: HEALTH_CHECKS, inject: [KAFKA_HEALTH_CHECKS], useFactory: (kafka: unknown[]) => kafka }],
  exports: [HEALTH_CHECKS],
})
class ProducingAppModule {}

@Module({
  imports: [KafkaModule.forService({ consumes: [TOPICS.marketOrders], produces: [TOPICS.auditEvents] })],
  providers: [{ provide: HEALTH_CHECKS, inject: [KAFKA_HEALTH_CHECKS], useFactory: (kafka: unknown[]) => kafka }, OrdersConsumer],
  exports: [HEALTH_CHECKS],
})
class ConsumingAppModule {}

function start(module: unknown, env: Record<string, string | undefined>): Promise<RunningService> {
  const config = loadConfig(baseServiceConfig('kafka-svc', 0), { VIGIL_LOG_LEVEL: 'silent', ...env });
  return startService({ name: 'kafka-svc', module: module as typeof ProducingAppModule, config, logger: createLogger('kafka-svc', 'silent') });
}

interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, { status: string; error?: string }> };
}

async function readyz(service: RunningService): Promise<Readiness> {
  const res = await fetch(`${service.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
}

/** Polls /readyz until it answers `status` (a poller's view: bootstrap runs in the background). */
async function readyzOnce(service: RunningService, status: number, timeoutMs = 30_000): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await readyz(service);
    if (result.status === status || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A plain TCP relay from `port` to the real broker: the broker "comes up" on a port when it opens. */
async function relayToBroker(port: number, broker: string): Promise<{ close(): Promise<void> }> {
  const [host, brokerPort] = broker.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = connect(Number(brokerPort), host);
    sockets.add(client).add(target);
    client.pipe(target).pipe(client);
    const end = () => {
      client.destroy();
      target.destroy();
    };
    client.on('error', end).on('close', end);
    target.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Partition counts as the broker's metadata has them (which can trail a topic's creation by a moment). */
async function partitionsOf(names: string[]): Promise<Record<string, number | undefined>> {
  for (let attempt = 1; ; attempt++) {
    const existing = new Set(await admin.listTopics());
    if (names.every((name) => existing.has(name)) || attempt === 50) {
      const metadata = await admin.metadata({ topics: names.filter((name) => existing.has(name)), forceUpdate: true });
      return Object.fromEntries(names.map((name) => [name, metadata.topics.get(name)?.partitionsCount]));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  infra = await assertInfraUp({ servers: ['kafka', 'registry'] });
  admin = new Admin({ clientId: `${prefix}check`, bootstrapBrokers: infra.kafkaBrokers });
});

afterAll(async () => {
  const ours = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
  if (ours.length) await admin.deleteTopics({ topics: ours });
  await admin.close();
  // Avro subjects the producer registered: soft, then permanent delete.
  const subjects = (await (await fetch(`${infra.registryUrl}/subjects`)).json()) as string[];
  for (const subject of subjects.filter((s) => s.startsWith(prefix))) {
    await fetch(`${infra.registryUrl}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${infra.registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  }
});

describe('KafkaModule', () => {
  it('creates the service topics and the .dlq of each consumed one with the configured partitions, then reports ready', async () => {
    const service = await start(ProducingAppModule, serviceEnv(infra, prefix));
    try {
      expect(await readyzOnce(service, 200)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });
      expect(await partitionsOf([`${prefix}market.orders.v1`, `${prefix}market.orders.v1.dlq`, `${prefix}audit.events.v1`, `${prefix}audit.checkpoints`])).toEqual({
        [`${prefix}market.orders.v1`]: 6,
        [`${prefix}market.orders.v1.dlq`]: 1,
        [`${prefix}audit.events.v1`]: 6,
        [`${prefix}audit.checkpoints`]: 3,
      });
      // Produced topics get no dead-letter topic: nobody consumes them here.
      expect((await admin.listTopics()).filter((name) => name.startsWith(prefix)).sort()).toEqual(
        [`${prefix}audit.checkpoints`, `${prefix}audit.events.v1`, `${prefix}market.orders.v1`, `${prefix}market.orders.v1.dlq`].sort(),
      );

      // The provided producer writes Avro through the registry, and records into the service's metrics.
      const producer = service.app.get(EventProducer);
      expect(producer.encoding).toBe('avro');
      await producer.send(auditEventsContract, [exampleAuditEvent()]);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const produced = metrics.split('\n').filter((line) => line.startsWith('vigil_kafka_producer_messages_total{'));
      expect(produced).toEqual([expect.stringMatching(new RegExp(`topic="${prefix.replace('.', '\\.')}audit\\.events\\.v1".*outcome="success".*\\} 1$`))]);
      expect(produced[0]).toContain('service="kafka-svc"');
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });

  it('omits the schema-registry check and produces JSON when no registry is configured', async () => {
    const service = await start(ProducingAppModule, { ...serviceEnv(infra, prefix), VIGIL_SCHEMA_REGISTRY_URL: undefined });
    try {
      expect(await readyzOnce(service, 200)).toEqual({ status: 200, body: { status: 'ok', checks: { kafka: { status: 'ok' } } } });
      expect(service.app.get(EventProducer).encoding).toBe('json');
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });

  it('starts without a broker, serving /healthz and answering /readyz 503 naming kafka, and stops cleanly', async () => {
    const port = await freePort();
    const service = await start(ProducingAppModule, { ...serviceEnv(infra, `${prefix}down.`), VIGIL_KAFKA_BROKERS: `127.0.0.1:${port}` });
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const { status, body } = await readyz(service);
      expect(status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.kafka).toEqual({ status: 'failing', error: expect.stringContaining(`127.0.0.1:${port}`) });
      expect(body.checks['schema-registry']).toEqual({ status: 'ok' });
      expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });

  it('creates the topics and turns ready once the broker is reachable, retrying in the background', async () => {
    const port = await freePort();
    const later = `${prefix}later.`;
    const service = await start(ProducingAppModule, { ...serviceEnv(infra, later), VIGIL_KAFKA_BROKERS: `127.0.0.1:${port}` });
    const relay = { close: async () => undefined };
    try {
      expect((await readyz(service)).status).toBe(503);
      Object.assign(relay, await relayToBroker(port, infra.kafkaBrokers[0]));
      expect((await readyzOnce(service, 200, 60_000)).status).toBe(200);
      expect(await partitionsOf([`${later}market.orders.v1`, `${later}market.orders.v1.dlq`])).toEqual({
        [`${later}market.orders.v1`]: 6,
        [`${later}market.orders.v1.dlq`]: 1,
      });
    } finally {
      expect(await service.stop('test')).toBe(0);
      await relay.close();
    }
  });

  it('on shutdown lets the consumer finish and commit its batch, producing with the still-open producer, before the producer closes', async () => {
    events.length = 0;
    handlerEntered = deferred();
    handlerRelease = deferred();
    const service = await start(ConsumingAppModule, serviceEnv(infra, `${prefix}order.`));
    let stopped: Promise<number> | undefined;
    try {
      expect((await readyzOnce(service, 200)).status).toBe(200);
      await service.app.get(EventProducer).send(marketOrdersContract, [exampleOrderEvent()]);
      await handlerEntered.promise;

      stopped = service.stop('test');
      expect((await readyz(service)).status).toBe(503);
      handlerRelease.resolve();
      expect(await stopped).toBe(0);
      expect(events).toEqual(['handling 1', 'audit event sent', 'consumer stopped']);

      // The batch was committed: the group's offset is past the one order.
      const [group] = await admin.listConsumerGroupOffsets({ groups: [`${prefix}orders-test`] });
      const committed = group.topics.flatMap((t) => t.partitions).reduce((sum, p) => sum + (p.committedOffset > 0n ? p.committedOffset : 0n), 0n);
      expect(committed).toBe(1n);
      // And the audit event sent during shutdown reached the broker.
      const topic = `${prefix}order.audit.events.v1`;
      const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] });
      expect(listed.partitions.reduce((sum, p) => sum + p.offset, 0n)).toBe(1n);
    } finally {
      handlerRelease.resolve();
      if (!stopped) await service.stop('test');
    }
  });
});
