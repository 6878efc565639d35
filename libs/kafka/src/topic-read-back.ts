import { randomUUID } from 'node:crypto';
import { Consumer, MessagesStreamModes, stringDeserializer, type Message } from '@platformatic/kafka';
import type { Contract } from '@vigil/contracts';
import { DecodeError } from './decode-error';
import type { EventCodec } from './event.codec';
import { prefixedTopic, type KafkaConnectionOptions } from './kafka-options';

export interface ReadBackOptions<T> extends KafkaConnectionOptions {
  contract: Contract<T>;
  /** Per partition, from the first record whose timestamp is at or after this (ms since the epoch). */
  sinceMs: number;
  /** Gives up (throws) after this long (default 30 s). */
  timeoutMs?: number;
}

export interface ReadBack<T> {
  values: T[];
  /** Records in the range that did not decode or validate (left out of `values`). */
  undecodable: number;
}

/**
 * Reads a topic back from a point in time to its end as of the call, decoded and validated:
 * for recovery checks ("did this already go out?"), not for consuming. Each partition is read
 * from the first offset at or after `sinceMs` (ListOffsets by timestamp) up to its end offset
 * taken at the start; records produced after that are not waited for. It reads through a
 * throwaway consumer group that commits nothing.
 */
export async function readTopicBack<T>(options: ReadBackOptions<T>, codec: EventCodec): Promise<ReadBack<T>> {
  const topic = prefixedTopic(options.topicPrefix, options.contract.topic);
  const consumer = new Consumer<Buffer, Buffer, string, Buffer>({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    groupId: `${options.topicPrefix ?? ''}vigil.read-back.${randomUUID()}`,
    autocommit: false,
    maxWaitTime: 200,
    deserializers: { headerKey: stringDeserializer },
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const starts = (await consumer.listOffsets({ topics: [topic], timestamp: BigInt(Math.max(0, Math.floor(options.sinceMs))) })).get(topic) ?? [];
    // A partition with no record at or after sinceMs answers -1 (or its end): nothing to read there.
    const wanted = new Map<number, { from: bigint; end: bigint }>();
    starts.forEach((from, partition) => {
      const end = ends[partition] ?? -1n;
      if (from >= 0n && from < end) wanted.set(partition, { from, end });
    });
    const result: ReadBack<T> = { values: [], undecodable: 0 };
    if (wanted.size === 0) return result;

    const stream = await consumer.consume({
      topics: [topic],
      autocommit: false,
      mode: MessagesStreamModes.MANUAL,
      offsets: [...wanted].map(([partition, { from }]) => ({ topic, partition, offset: from })),
    });
    const remaining = new Set(wanted.keys());
    const pending: Promise<void>[] = [];
    // A failure other than a bad record (the registry unreachable) is kept and thrown after the read:
    // a rejected decode left without a handler until then would be an unhandled rejection.
    let failure: unknown;
    const timeoutMs = options.timeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} back from ${new Date(options.sinceMs).toISOString()} took longer than ${timeoutMs} ms`)), timeoutMs);
      stream.on('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('data', (message: Message<Buffer, Buffer, string, Buffer>) => {
        const range = wanted.get(message.partition);
        if (!range) return;
        if (message.offset >= range.from && message.offset < range.end) {
          pending.push(
            codec.decode(topic, options.contract, message.value).then(
              ({ value }) => void result.values.push(value),
              (error: unknown) => {
                if (error instanceof DecodeError) result.undecodable += 1;
                else failure ??= error;
              },
            ),
          );
        }
        if (message.offset >= range.end - 1n) remaining.delete(message.partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }).finally(() => stream.close().catch(() => undefined));
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    return result;
  } finally {
    await consumer.close().catch(() => undefined);
  }
}
