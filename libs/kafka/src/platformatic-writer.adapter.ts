import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializer } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './kafka-options';
import type { OutgoingRecord, RecordWriter } from './kafka-port';

/**
 * RecordWriter over a @platformatic/kafka Producer: idempotent (so a retried send after
 * a lost acknowledgement is not written twice) with acks from all in-sync replicas.
 * Keys are partitioned like the Java client (murmur2 & 0x7fffffff), so an instrument
 * lands on the same partition whether a trading platform's Java producer or we wrote it.
 */
export class PlatformaticRecordWriter implements RecordWriter {
  private readonly producer: Producer<Buffer, Buffer, string, Buffer>;

  constructor(options: KafkaConnectionOptions) {
    this.producer = new Producer<Buffer, Buffer, string, Buffer>({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      partitioner: compatibilityPartitioner,
      autocreateTopics: false,
      serializers: { headerKey: stringSerializer },
    });
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({
      messages: records.map((record) => ({
        topic: record.topic,
        key: record.key ?? undefined,
        value: record.value ?? undefined,
        headers: new Map(record.headers),
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
