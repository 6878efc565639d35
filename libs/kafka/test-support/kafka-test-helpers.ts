import { Consumer, MessagesStreamModes, stringDeserializer } from '@platformatic/kafka';
import type { InfraEnv } from '@vigil/testing';
import type { BatchHandler, ConsumedMessage } from '../src/consumed-message';
import type { KafkaLogger } from '../src/kafka-logger';

/**
 * The Confluent-compatible API of the registry. libs/testing's registryUrl is the Apicurio
 * root (http://127.0.0.1:8081); libs/kafka talks to `<root>/apis/ccompat/v7`.
 */
export function ccompatUrl(infra: InfraEnv): string {
  const root = infra.registryUrl.replace(/\/+$/, '');
  return root.endsWith('/apis/ccompat/v7') ? root : `${root}/apis/ccompat/v7`;
}

/** A record as read back by the test, independently of the runner. */
export interface ReadRecord {
  partition: number;
  offset: bigint;
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: Record<string, string>;
}

/**
 * Reads `topic` from the beginning until `count` records arrived, with a plain
 * @platformatic/kafka consumer (not our runner, so it checks the runner from outside).
 */
export async function readTopic(brokers: string[], topic: string, count: number, timeoutMs = 60_000): Promise<ReadRecord[]> {
  const consumer = new Consumer<Buffer, Buffer, string, Buffer>({
    clientId: 'kafka-int-reader',
    bootstrapBrokers: brokers,
    groupId: `reader-${topic}-${Date.now()}`,
    autocommit: false,
    maxWaitTime: 200,
    deserializers: { headerKey: stringDeserializer },
  });
  const records: ReadRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    const deadline = Date.now() + timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (Date.now() > deadline) {
          clearInterval(timer);
          reject(new Error(`readTopic: ${topic} gave ${records.length} of ${count} records within ${timeoutMs} ms`));
        }
      }, 100);
      stream.on('data', (message) => {
        records.push({
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(message.headerEntries.map(([name, value]) => [name, value.toString('utf8')])),
        });
        if (records.length >= count) {
          clearInterval(timer);
          resolve();
        }
      });
      stream.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return records;
}

/** A handler that keeps every message it is given, and a way to wait for some. */
export function collectingHandler<T>(): {
  handler: BatchHandler<T>;
  messages: ConsumedMessage<T>[];
  batches: number;
  waitFor(count: number, timeoutMs?: number): Promise<ConsumedMessage<T>[]>;
} {
  const state = {
    messages: [] as ConsumedMessage<T>[],
    batches: 0,
    handler: (async (messages: ConsumedMessage<T>[]) => {
      state.batches += 1;
      state.messages.push(...messages);
    }) as BatchHandler<T>,
    async waitFor(count: number, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`collectingHandler: ${state.messages.length} of ${count} messages within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return state.messages;
    },
  };
  return state;
}

/** A logger for tests: quiet, but warnings and errors are kept for assertions. */
export function testLogger(): KafkaLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: (_details, message) => warnings.push(message),
    error: (details, message) => errors.push(`${message}: ${JSON.stringify(details, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`),
  };
}
