/**
 * Raw produce and consume throughput of libs/kafka on this machine: 1 KiB JSON
 * market.orders.v1 events, one partition and six, messages per second. Baselines measured
 * in the same run, on the same broker and topics:
 *   - @platformatic/kafka used directly (the client under our port, same producer settings:
 *     idempotent, acks all; values pre-encoded, so the difference is our validation,
 *     encoding and bookkeeping);
 *   - kcat (librdkafka, C) producing and consuming the same records.
 *
 * Run: npm run bench (all benches) — or alone:
 *   node_modules/.bin/node -r @swc-node/register bench/kafka-throughput.ts
 * Env: BENCH_MESSAGES (default 50000 per measurement), BENCH_MAX_SECONDS (default 60 per
 * measurement; a measurement cut short reports what it did and says so), BENCH_RESULT_FILE.
 */
import { Admin, compatibilityPartitioner, Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka';
import { exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, KafkaAdmin, silentLogger } from '@vigil/kafka';
import { assertInfraUp, testPrefix } from '@vigil/testing';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 50_000);
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 60);
const VALUE_BYTES = 1024;
const SEND_BATCH = 500;
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'kafka-throughput.json');

interface Measurement {
  partitions: number;
  operation: 'produce' | 'consume';
  client: 'libs/kafka' | '@platformatic/kafka (raw)' | 'kcat (librdkafka)';
  messages: number;
  seconds: number;
  perSecond: number;
  /** libs/kafka ÷ raw @platformatic/kafka, on the libs/kafka rows. */
  ratioToRaw?: number;
  cutShort?: boolean;
}

/** 1 KiB of JSON: a valid order event whose orderId is padded to the size. */
function events(count: number, tag: string): MarketOrderEvent[] {
  const sample = exampleOrderEvent({ eventId: `${tag}-0000000`, instrument: 'INST-00', orderId: 'O' });
  const padding = VALUE_BYTES - Buffer.byteLength(JSON.stringify(marketOrdersContract.parse(sample)));
  return Array.from({ length: count }, (_, i) => {
    const eventId = `${tag}-${String(i).padStart(7, '0')}`;
    return exampleOrderEvent({ eventId, instrument: `INST-${String(i % 64).padStart(2, '0')}`, orderId: `O${'x'.repeat(padding)}` });
  });
}

function rate(partitions: number, operation: Measurement['operation'], client: Measurement['client'], messages: number, ms: number, cutShort = false): Measurement {
  const seconds = ms / 1000;
  return { partitions, operation, client, messages, seconds: round(seconds, 3), perSecond: Math.round(messages / seconds), ...(cutShort ? { cutShort } : {}) };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const deadline = () => Date.now() + MAX_SECONDS * 1000;

async function produceOurs(brokers: string[], prefix: string, values: MarketOrderEvent[], partitions: number): Promise<Measurement> {
  const producer = createEventProducer({ brokers, clientId: 'bench', topicPrefix: prefix });
  await producer.send(marketOrdersContract, values.slice(0, 1)); // connect and init the idempotent producer outside the clock
  const end = deadline();
  const started = performance.now();
  let sent = 1;
  for (; sent < values.length && Date.now() < end; sent += SEND_BATCH) {
    await producer.send(marketOrdersContract, values.slice(sent, sent + SEND_BATCH));
  }
  const ms = performance.now() - started;
  await producer.close();
  return rate(partitions, 'produce', 'libs/kafka', Math.min(sent, values.length) - 1, ms, sent < values.length);
}

async function produceRaw(brokers: string[], topic: string, values: MarketOrderEvent[], partitions: number): Promise<Measurement> {
  const producer = new Producer({
    clientId: 'bench-raw',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
  });
  const records = values.map((value) => ({ topic, key: Buffer.from(value.instrument), value: Buffer.from(JSON.stringify(value)) }));
  await producer.send({ messages: records.slice(0, 1) });
  const end = deadline();
  const started = performance.now();
  let sent = 1;
  for (; sent < records.length && Date.now() < end; sent += SEND_BATCH) {
    await producer.send({ messages: records.slice(sent, sent + SEND_BATCH) });
  }
  const ms = performance.now() - started;
  await producer.close();
  return rate(partitions, 'produce', '@platformatic/kafka (raw)', Math.min(sent, records.length) - 1, ms, sent < records.length);
}

function kcat(args: string[], input?: string): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), MAX_SECONDS * 1000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ms: performance.now() - started, stdout });
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
    });
    child.stdin.end(input ?? '');
  });
}

async function produceKcat(brokers: string[], topic: string, values: MarketOrderEvent[], partitions: number): Promise<Measurement> {
  const file = path.join(os.tmpdir(), `bench-kcat-${process.pid}.txt`);
  fs.writeFileSync(file, values.map((value) => `${value.instrument}|${JSON.stringify(value)}`).join('\n') + '\n');
  try {
    // Same guarantees as ours: idempotent, acks from all in-sync replicas. Includes process start.
    const { ms } = await kcat(['-P', '-b', brokers[0], '-t', topic, '-K', '|', '-X', 'enable.idempotence=true', '-X', 'acks=all', '-l', file]);
    return rate(partitions, 'produce', 'kcat (librdkafka)', values.length, ms);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function consumeOurs(brokers: string[], prefix: string, count: number, partitions: number): Promise<Measurement> {
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const runner = createConsumerRunner<MarketOrderEvent>({
    brokers,
    clientId: 'bench',
    topicPrefix: prefix,
    groupId: `${prefix}bench`,
    contracts: [marketOrdersContract],
    logger: silentLogger,
    handler: async (messages) => {
      handled += messages.length;
      if (handled >= count) done();
    },
  });
  const started = performance.now();
  await runner.start();
  const timer = setTimeout(done, MAX_SECONDS * 1000);
  await finished;
  const ms = performance.now() - started;
  clearTimeout(timer);
  await runner.stop();
  return rate(partitions, 'consume', 'libs/kafka', Math.min(handled, count), ms, handled < count);
}

async function consumeRaw(brokers: string[], topic: string, count: number, partitions: number): Promise<Measurement> {
  const consumer = new Consumer({ clientId: 'bench-raw', bootstrapBrokers: brokers, groupId: `${topic}-raw-${Date.now()}`, autocommit: false });
  let received = 0;
  const started = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, MAX_SECONDS * 1000);
    stream.on('data', () => {
      if (++received === count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const ms = performance.now() - started;
  await stream.close();
  await consumer.close(true);
  return rate(partitions, 'consume', '@platformatic/kafka (raw)', Math.min(received, count), ms, received < count);
}

async function consumeKcat(brokers: string[], topic: string, count: number, partitions: number): Promise<Measurement> {
  // One byte per record on stdout, so the pipe does not dominate. Includes process start.
  const { ms, stdout } = await kcat(['-C', '-b', brokers[0], '-t', topic, '-o', 'beginning', '-c', String(count), '-e', '-q', '-f', '.']);
  return rate(partitions, 'consume', 'kcat (librdkafka)', stdout.length, ms, stdout.length < count);
}

/** Per-message CPU cost of what the port adds, measured in-process (explains the ratios). */
function portCosts(values: MarketOrderEvent[]): { contractParseMicros: number; jsonEncodeMicros: number; jsonDecodeMicros: number } {
  const sample = values.slice(0, 20_000);
  const encoded = sample.map((value) => Buffer.from(JSON.stringify(value)));
  const micros = (work: () => void) => {
    const started = performance.now();
    work();
    return round(((performance.now() - started) * 1000) / sample.length, 2);
  };
  return {
    contractParseMicros: micros(() => sample.forEach((value) => marketOrdersContract.parse(value))),
    jsonEncodeMicros: micros(() => sample.forEach((value) => Buffer.from(JSON.stringify(value)))),
    jsonDecodeMicros: micros(() => encoded.forEach((bytes) => JSON.parse(bytes.toString('utf8')))),
  };
}

async function main(): Promise<void> {
  const infra = await assertInfraUp({ servers: ['kafka'] });
  const brokers = infra.kafkaBrokers;
  const runPrefix = testPrefix();
  const admin = new KafkaAdmin({ brokers, clientId: 'bench' });
  const values = events(MESSAGES, 'bench');
  console.log(`kafka-throughput: ${MESSAGES} events of ${Buffer.byteLength(JSON.stringify(values[0]))} bytes per measurement, topics ${runPrefix}*`);
  const results: Measurement[] = [];
  const created: string[] = [];
  try {
    // Warm-up: JIT, connections, metadata — not measured.
    const warm = `${runPrefix}warm.`;
    await admin.ensureTopics([{ name: `${warm}market.orders.v1`, partitions: 1 }, { name: `${warm}raw`, partitions: 1 }], silentLogger);
    created.push(`${warm}market.orders.v1`, `${warm}raw`);
    await produceOurs(brokers, warm, values.slice(0, 2000), 1);
    await produceRaw(brokers, `${warm}raw`, values.slice(0, 2000), 1);

    for (const partitions of [1, 6]) {
      const prefix = `${runPrefix}p${partitions}.`;
      const ours = `${prefix}market.orders.v1`;
      const raw = `${prefix}raw`;
      const viaKcat = `${prefix}kcat`;
      await admin.ensureTopics([ours, raw, viaKcat].map((name) => ({ name, partitions })), silentLogger);
      created.push(ours, raw, viaKcat);

      const produced = [
        await produceOurs(brokers, prefix, values, partitions),
        await produceRaw(brokers, raw, values, partitions),
        await produceKcat(brokers, viaKcat, values, partitions),
      ];
      // Every consumer reads the same topic: the one libs/kafka produced.
      const available = produced[0].messages;
      const consumed = [
        await consumeOurs(brokers, prefix, available, partitions),
        await consumeRaw(brokers, ours, available, partitions),
        await consumeKcat(brokers, ours, available, partitions),
      ];
      for (const group of [produced, consumed]) {
        group[0].ratioToRaw = round(group[0].perSecond / group[1].perSecond, 2);
        results.push(...group);
      }
    }
  } finally {
    await deleteTopics(brokers, created);
    await admin.close();
  }

  const costs = portCosts(values);
  console.table(results.map((r) => ({ ...r, ratioToRaw: r.ratioToRaw ?? '', cutShort: r.cutShort ? 'yes' : '' })));
  console.log(
    `per message, in-process: contract.parse ${costs.contractParseMicros} µs, JSON encode ${costs.jsonEncodeMicros} µs, JSON decode ${costs.jsonDecodeMicros} µs ` +
      '(the raw producer sends pre-encoded values; libs/kafka validates and encodes each one)',
  );
  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(
    RESULT_FILE,
    `${JSON.stringify(
      {
        bench: 'kafka-throughput',
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
        messagesPerMeasurement: MESSAGES,
        valueBytes: Buffer.byteLength(JSON.stringify(values[0])),
        sendBatch: SEND_BATCH,
        loadAverage: os.loadavg(),
        portCostsPerMessage: costs,
        results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${path.relative(process.cwd(), RESULT_FILE)}`);
}

async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Admin({ clientId: 'bench-cleanup', bootstrapBrokers: brokers });
  try {
    await admin.deleteTopics({ topics });
  } catch (error) {
    console.error(`could not delete the bench topics (${topics.join(', ')}): ${(error as Error).message}`);
  } finally {
    await admin.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
