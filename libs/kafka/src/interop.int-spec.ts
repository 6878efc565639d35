import { exampleFillEvent, exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import { Type } from 'avsc';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { ccompatUrl, collectingHandler, readTopic, testLogger } from '../test-support/kafka-test-helpers';
import { KafkaAdmin } from './kafka-admin';
import { createConsumerRunner, createEventProducer } from './kafka.factory';

const run = promisify(execFile);

/** Runs kcat with `input` on stdin; resolves with stdout as bytes. */
function kcat(args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`))));
    child.stdin.end(input ?? '');
  });
}

// Interop with clients we did not write: kcat (librdkafka) produces JSON that libs/kafka
// consumes and validates; Avro we produce is decoded by the registry's own API plus avsc.
describe('interop with kcat and an independent Avro decoder', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  const prefix = testPrefix();
  const logger = testLogger();

  beforeAll(async () => {
    await run('kcat', ['-V']).catch(() => {
      throw new Error('kcat is not installed: apt-get install -y kcat (the interop tests need a Kafka client we did not write)');
    });
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'registry']));
    const admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-interop' });
    try {
      await admin.ensureTopics(
        [
          { name: `${prefix}kcat.market.orders.v1`, partitions: 1, withDeadLetter: true },
          { name: `${prefix}avro.market.orders.v1`, partitions: 1 },
        ],
        logger,
      );
    } finally {
      await admin.close();
    }
  });

  afterAll(async () => {
    await stopInfra?.();
  });

  it('consumes and validates JSON events kcat produced, and dead-letters the garbage it produced', async () => {
    const topicPrefix = `${prefix}kcat.`;
    const topic = `${topicPrefix}market.orders.v1`;
    const order = exampleOrderEvent({ eventId: 'kcat-new', instrument: 'KCAT-1' });
    const fill = exampleFillEvent({ eventId: 'kcat-fill', instrument: 'KCAT-1' });
    const lines = [`KCAT-1|${JSON.stringify(order)}`, 'KCAT-1|this is not json', `KCAT-1|${JSON.stringify(fill)}`];
    await kcat(['-P', '-b', infra.kafkaBrokers[0], '-t', topic, '-K', '|', '-H', 'producer=kcat'], `${lines.join('\n')}\n`);

    const collected = collectingHandler<MarketOrderEvent>();
    const runner = createConsumerRunner({
      brokers: infra.kafkaBrokers,
      clientId: 'kafka-int-interop',
      topicPrefix,
      groupId: `${topicPrefix}interop`,
      contracts: [marketOrdersContract],
      handler: collected.handler,
      logger,
    });
    await runner.start();
    await collected.waitFor(2);
    const [dead] = await readTopic(infra.kafkaBrokers, `${topic}.dlq`, 1);
    await runner.stop();

    expect(collected.messages.map((m) => [m.offset, m.key, m.encoding, m.headers['producer']])).toEqual([
      [0n, 'KCAT-1', 'json', 'kcat'],
      [2n, 'KCAT-1', 'json', 'kcat'],
    ]);
    expect(collected.messages.map((m) => m.value)).toEqual([marketOrdersContract.parse(order), marketOrdersContract.parse(fill)]);
    expect(dead.value?.toString()).toBe('this is not json');
    expect(dead.key?.toString()).toBe('KCAT-1');
    expect(dead.headers).toMatchObject({ producer: 'kcat', 'x-source-offset': '1', 'x-source-topic': topic });
    expect(dead.headers['x-error']).toMatch(/^bad-json: /);
  });

  it('writes Avro that kcat reads back and the registry API plus plain avsc decode', async () => {
    const topicPrefix = `${prefix}avro.`;
    const topic = `${topicPrefix}market.orders.v1`;
    const registryUrl = ccompatUrl(infra);
    const event = marketOrdersContract.parse(exampleFillEvent({ eventId: 'avro-interop', instrument: 'AVRO-1' }));
    const producer = createEventProducer({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-interop', topicPrefix, registryUrl });
    await producer.send(marketOrdersContract, [event]);
    await producer.close();

    // kcat reads the raw value: this Debian kcat has no Avro support (no libserdes), so the
    // frame is taken apart here by hand and the schema fetched from the registry's own API.
    const value = await kcat(['-C', '-b', infra.kafkaBrokers[0], '-t', topic, '-o', 'beginning', '-c', '1', '-e', '-q', '-f', '%s']);
    expect(value[0]).toBe(0);
    const schemaId = value.readUInt32BE(1);
    const subjectVersion = (await (await fetch(`${registryUrl}/subjects/${topic}-value/versions/latest`)).json()) as { id: number };
    expect(subjectVersion.id).toBe(schemaId);
    const { schema } = (await (await fetch(`${registryUrl}/schemas/ids/${schemaId}`)).json()) as { schema: string };
    const decoded: unknown = Type.forSchema(JSON.parse(schema)).fromBuffer(value.subarray(5));
    expect(decoded).toEqual(marketOrdersContract.toAvro(event));
    expect(marketOrdersContract.parse(marketOrdersContract.fromAvro(decoded as Record<string, unknown>))).toEqual(event);
  });
});
